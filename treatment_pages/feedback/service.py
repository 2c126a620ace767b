"""Reader feedback ("Was this page helpful?"): the one write path, counts, and the review signal.

- :func:`scrub_comment` removes what looks like patient data before anything is stored;
- :func:`submit_feedback` records or changes one reader's answer (the ratings' voter key and
  abuse limits: the per-address rate and the new-voter limit, counted separately);
- :func:`feedback_counts` / :func:`counts_by_page` read results;
- :func:`flagged_reasons` and :func:`review_q` say which articles readers call out of date or
  hard to understand often enough (``TREATMENT_PAGES_FEEDBACK_REVIEW_THRESHOLD``) since their
  last clinical review: the review queue lists them with that reason.
"""

import datetime
import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from treatment_pages.conf import app_settings
from treatment_pages.models import PageFeedback
from treatment_pages.models.feedback import (
    COMMENT_MAX_LENGTH,
    HARD_TO_UNDERSTAND,
    OUT_OF_DATE,
    REASON_CHOICES,
)
from treatment_pages.ratings.votes import count_new_voter

# The reasons that bring an article back for clinical review.
REVIEW_REASONS = (OUT_OF_DATE, HARD_TO_UNDERSTAND)
REMOVED = "[removed]"

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|"
    r"enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre"
)
# Order matters: emails and dates before phone numbers and digit runs, which would eat their digits.
PATIENT_DATA_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I),  # email addresses
    re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b"),  # 12/03/1980, 1980-03-12
    re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:de\s+)?(?:{_MONTHS})\.?,?\s+(?:de\s+)?\d{{2,4}}\b", re.I),
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{2,4}}\b", re.I),  # March 12, 1980
    # Phone numbers and long digit runs (record, insurance numbers): 6+ digits with separators.
    re.compile(r"\+?\(?\d(?:[\s().-]*\d){5,}"),
]


def scrub_comment(text):
    """``text`` with emails, phone numbers, dates and runs of 6+ digits replaced by ``[removed]``."""
    text = (text or "").strip()
    for pattern in PATIENT_DATA_PATTERNS:
        text = pattern.sub(REMOVED, text)
    return text[:COMMENT_MAX_LENGTH]


INVALID_REASON_MESSAGE = _("Choose one of the reasons listed.")
THANKS_MESSAGE = _("Thank you for your feedback.")


def validate_answer(helpful, reason, comment):
    """Clean an answer; raise ``ValidationError`` (per field) saying what to fix."""
    if not isinstance(helpful, bool):
        raise ValidationError({"helpful": _("Answer yes or no.")})
    reason = reason or ""
    comment = (comment or "").strip()
    if helpful:
        # "Yes" carries no reason or comment (the form hides them for "Yes").
        return helpful, "", ""
    if reason and reason not in dict(REASON_CHOICES):
        raise ValidationError({"reason": INVALID_REASON_MESSAGE})
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            {"comment": _("Keep the comment to %(max)d characters or fewer.") % {"max": COMMENT_MAX_LENGTH}}
        )
    return helpful, reason, comment


def submit_feedback(page, voter_key, *, helpful, reason="", comment="", client_address=None):
    """Record this reader's answer for ``page`` (a live article; the caller checks that).

    Returns ``(feedback, created)``. A reader who answered before changes their answer. The
    comment is scrubbed before it is stored. A first answer from an address that has created its
    share of new voters for the page raises ``TooManyNewVoters`` and stores nothing.
    """
    if not voter_key:
        raise ValueError("submit_feedback() needs the voter's key.")
    helpful, reason, comment = validate_answer(helpful, reason, comment)
    values = {"helpful": helpful, "reason": reason, "comment": scrub_comment(comment)}
    with transaction.atomic():
        existing = (
            PageFeedback.objects.select_for_update().filter(page_id=page.pk, voter_key=voter_key).first()
        )
        if existing is None:
            if client_address is not None:
                count_new_voter(page.pk, client_address, scope="feedback")
            return PageFeedback.objects.create(page_id=page.pk, voter_key=voter_key, **values), True
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        return existing, False


def _empty_counts():
    return {"yes": 0, "no": 0, "reasons": {code: 0 for code, _label in REASON_CHOICES}}


def counts_by_page(page_ids):
    """``{page_id: {"yes": n, "no": n, "reasons": {reason: n}}}`` in one query."""
    page_ids = list(page_ids)
    counts = {page_id: _empty_counts() for page_id in page_ids}
    rows = (
        PageFeedback.objects.filter(page_id__in=page_ids)
        .values("page_id", "helpful", "reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        page_counts = counts[row["page_id"]]
        page_counts["yes" if row["helpful"] else "no"] += row["n"]
        if row["reason"]:
            page_counts["reasons"][row["reason"]] += row["n"]
    return counts


def feedback_counts(page):
    return counts_by_page([page.pk])[page.pk]


def review_threshold():
    return int(app_settings.TREATMENT_PAGES_FEEDBACK_REVIEW_THRESHOLD)


_BEFORE_ANY_REVIEW = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def _flagging_answers():
    """ "No" answers with a review reason given since the article's last clinical sign-off."""
    since = Coalesce(F("page__review_seal__reviewed_at"), Value(_BEFORE_ANY_REVIEW))
    return PageFeedback.objects.filter(helpful=False, reason__in=REVIEW_REASONS, updated__gt=since)


def review_q():
    """A filter for articles with at least the threshold of "out of date" or "hard to understand"
    answers (each reason counted on its own) since their last review. 0 turns this off."""
    threshold = review_threshold()
    if threshold <= 0:
        return Q(pk__in=[])
    flagged = _flagging_answers().values("page_id", "reason").annotate(n=Count("pk")).filter(n__gte=threshold)
    return Q(pk__in=flagged.values("page_id"))


def flagged_reasons(page_ids):
    """``{page_id: {reason: count}}`` for the review reasons at or over the threshold."""
    threshold = review_threshold()
    result = defaultdict(dict)
    if threshold <= 0:
        return result
    rows = (
        _flagging_answers()
        .filter(page_id__in=list(page_ids))
        .values("page_id", "reason")
        .annotate(n=Count("pk"))
        .filter(n__gte=threshold)
        .order_by()
    )
    for row in rows:
        result[row["page_id"]][row["reason"]] = row["n"]
    return result
