"""Background tasks (django-tasks) for treatment articles."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_review_digest():
    """Email each clinical reviewer their due, overdue and low-rated articles (titles and links).

    Queue it once a day (``manage.py send_review_digest --enqueue`` from a scheduler) for the
    task worker to run, or run the command itself from the scheduler.
    """
    from treatment_pages.review.service import send_review_digests

    sent = send_review_digests()
    logger.info("Sent %d clinical review digest(s)", sent)
    return sent
