"""Background delivery of appointment-request emails, with bounded retries.

django-tasks has no retry of its own: a failed delivery re-enqueues its task with
an attempt counter and a growing delay (``run_after``) until
``LEAD_FORMS_NOTIFICATION_MAX_ATTEMPTS``. Tasks take only the submission's id, so
no patient data sits in the task queue, and log lines carry ids and exception
class names only.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from lead_forms.conf import app_settings

logger = logging.getLogger(__name__)


def max_attempts():
    return int(app_settings.LEAD_FORMS_NOTIFICATION_MAX_ATTEMPTS)


def retry_delay(attempt):
    """Seconds to wait after failed ``attempt``: 1, 2, 4, 8... times the base delay."""
    base = int(app_settings.LEAD_FORMS_NOTIFICATION_RETRY_SECONDS)
    return base * 2 ** (attempt - 1)


def _load_submission(submission_id):
    from .models import AppointmentSubmission

    submission = AppointmentSubmission.objects.select_related("page").filter(pk=submission_id).first()
    if submission is None:
        logger.warning("Appointment request %s no longer exists; nothing to send", submission_id)
    return submission


def _retry_or_give_up(task_obj, what, submission_id, attempt, exc):
    """Re-enqueue ``task_obj`` for the next attempt; return False when attempts are used up."""
    limit = max_attempts()
    if attempt >= limit:
        logger.error(
            "%s for appointment request %s failed after %d attempts (%s); giving up",
            what,
            submission_id,
            attempt,
            type(exc).__name__,
        )
        return False
    delay = retry_delay(attempt)
    logger.warning(
        "%s for appointment request %s failed on attempt %d of %d (%s); retrying in %ds",
        what,
        submission_id,
        attempt,
        limit,
        type(exc).__name__,
        delay,
    )
    next_run = task_obj
    if task_obj.get_backend().supports_defer:
        next_run = task_obj.using(run_after=timezone.now() + timedelta(seconds=delay))
    # Backends that cannot defer (the immediate one in dev and tests) retry at once.
    next_run.enqueue(submission_id, attempt + 1)
    return True


@task()
def notify_coordinator(submission_id: int, attempt: int = 1):
    """Email the clinic's coordinator that appointment request ``submission_id`` arrived.

    The email names the form, the reference and the admin link; no patient data.
    """
    submission = _load_submission(submission_id)
    if submission is None or submission.notification_status == submission.NotificationStatus.SENT:
        return
    page = submission.page.specific
    try:
        page.get_notification_message(submission).send()
    except Exception as exc:  # SMTP, DNS, timeouts: any failure is retried, never raised to the patient.
        if not _retry_or_give_up(notify_coordinator, "Coordinator notification", submission_id, attempt, exc):
            submission.notification_status = submission.NotificationStatus.FAILED
            submission.save(update_fields=["notification_status"])
        return
    submission.notification_status = submission.NotificationStatus.SENT
    submission.notified_at = timezone.now()
    submission.save(update_fields=["notification_status", "notified_at"])


@task()
def send_patient_confirmation(submission_id: int, attempt: int = 1):
    """Email the patient that request ``submission_id`` arrived: the editor's text and the reference only."""
    submission = _load_submission(submission_id)
    if submission is None:
        return
    message = submission.page.specific.get_confirmation_message(submission)
    if message is None:
        return
    try:
        message.send()
    except Exception as exc:  # As above: retried, never raised.
        _retry_or_give_up(send_patient_confirmation, "Patient confirmation", submission_id, attempt, exc)


def enqueue_notifications(submission_id, notify=True, confirm=False):
    """Queue the emails for a committed submission; a queue failure is logged, never raised."""
    for wanted, task_obj in ((notify, notify_coordinator), (confirm, send_patient_confirmation)):
        if not wanted:
            continue
        try:
            task_obj.enqueue(submission_id)
        except Exception as exc:
            logger.error(
                "Could not queue %s for appointment request %s (%s)",
                task_obj.name,
                submission_id,
                type(exc).__name__,
            )
