"""Clinical review service: review dates, the review queue and its reasons, sign-off, digests.

One entry point per operation, called by every surface (the workflow task, the report,
the dashboard panel, the edit-screen panel, the digest command and task).
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import F, FloatField, Q
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.utils import get_admin_base_url

from treatment_pages import conf

OVERDUE = "overdue"
DUE_THIS_MONTH = "due_this_month"
LOW_RATING = "low_rating"
NOT_REVIEWED = "not_reviewed"
CHANGED_SINCE_REVIEW = "changed_since_review"
READER_FEEDBACK = "reader_feedback"

STATUS_CHOICES = [
    (OVERDUE, _("Overdue")),
    (DUE_THIS_MONTH, _("Due this month")),
    (CHANGED_SINCE_REVIEW, _("Changed since review")),
    (LOW_RATING, _("Low reader rating")),
    (READER_FEEDBACK, _("Readers say out of date or hard to understand")),
    (NOT_REVIEWED, _("Never reviewed")),
]


def today():
    return timezone.localdate()


def add_months(date, months):
    """``date`` moved on by ``months`` calendar months (31 January + 1 month = 28/29 February)."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def review_interval_months(page):
    """The article's own review interval, else the site-wide one (12 months unless set)."""
    return page.review_interval_months or conf.review_interval_months()


def next_review_due_after(page, reviewed_on):
    return add_months(reviewed_on, review_interval_months(page))


def month_bounds(day):
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(day.year, day.month)[1])


# --- The queue -----------------------------------------------------------------------------


def low_rating_q():
    """Articles readers rate below the threshold, from at least the minimum number of ratings."""
    from treatment_pages.models import RatingSummary

    low = (
        RatingSummary.objects.filter(count__gte=max(conf.low_rating_min_count(), 1))
        .annotate(average_value=Cast("total", FloatField()) / Cast("count", FloatField()))
        .filter(average_value__lt=conf.low_rating_threshold())
        .values("page_id")
    )
    return Q(pk__in=low)


def status_q(status, on=None):
    """A filter for articles in one review status on day ``on`` (today by default)."""
    on = on or today()
    if status == OVERDUE:
        return Q(next_review_due__lt=on)
    if status == DUE_THIS_MONTH:
        return Q(next_review_due__gte=on, next_review_due__lte=month_bounds(on)[1])
    if status == LOW_RATING:
        return low_rating_q()
    if status == READER_FEEDBACK:
        from treatment_pages.feedback.service import review_q

        return review_q()
    if status == NOT_REVIEWED:
        # No clinician has signed the article off (the seal is the only proof of a review).
        return Q(review_seal__isnull=True) | Q(review_seal__signed_fingerprint="")
    if status == CHANGED_SINCE_REVIEW:
        # Published content differs from what the clinician signed (treatment_pages.review.seal).
        return Q(review_seal__signed_fingerprint__gt="") & ~Q(
            review_seal__signed_fingerprint=F("review_seal__live_fingerprint")
        )
    raise ValueError(f"Unknown review status {status!r}")


def queue_q(on=None):
    """Articles that need a clinical review now: every reason in ``STATUS_CHOICES``."""
    q = Q()
    for status, _label in STATUS_CHOICES:
        q |= status_q(status, on)
    return q


def articles(queryset=None):
    from treatment_pages.models import TreatmentPage

    queryset = TreatmentPage.objects.all() if queryset is None else queryset
    return queryset.select_related("medical_reviewer", "medical_reviewer__user", "review_seal")


def review_queue(queryset=None, on=None):
    """Live articles that need a review, soonest due first (never-dated ones last)."""
    return (
        articles(queryset)
        .live()
        .filter(queue_q(on))
        .order_by(F("next_review_due").asc(nulls_last=True), "title")
    )


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


def reasons_for(page, on=None, rating_summary=None, feedback_flags=None):
    """Why ``page`` needs review (empty when it does not): what the report and digest show.

    ``rating_summary`` and ``feedback_flags`` (``{reason: count}``) are loaded when not given.
    """
    from treatment_pages.feedback.service import flagged_reasons
    from treatment_pages.models.feedback import HARD_TO_UNDERSTAND, OUT_OF_DATE
    from treatment_pages.review.seal import seal_of

    on = on or today()
    reasons = []
    due = page.next_review_due
    if due and due < on:
        reasons.append(
            Reason(OVERDUE, _("Review overdue since %(date)s") % {"date": date_format(due, "j F Y")})
        )
    elif due and due <= month_bounds(on)[1]:
        reasons.append(Reason(DUE_THIS_MONTH, _("Review due %(date)s") % {"date": date_format(due, "j F Y")}))
    seal = seal_of(page)
    if seal is None or not seal.is_signed:
        reasons.append(Reason(NOT_REVIEWED, _("Never clinically reviewed")))
    elif not seal.holds_for_live_content:
        reasons.append(Reason(CHANGED_SINCE_REVIEW, _("Changed since its clinical review")))
    summary = rating_summary if rating_summary is not None else page.rating_summary
    if (
        summary.count >= max(conf.low_rating_min_count(), 1)
        and summary.total / summary.count < conf.low_rating_threshold()
    ):
        reasons.append(
            Reason(
                LOW_RATING,
                ngettext(
                    "Low reader rating: %(average)s from %(count)d rating",
                    "Low reader rating: %(average)s from %(count)d ratings",
                    summary.count,
                )
                % {"average": summary.average, "count": summary.count},
            )
        )
    flags = feedback_flags if feedback_flags is not None else flagged_reasons([page.pk])[page.pk]
    if OUT_OF_DATE in flags:
        reasons.append(
            Reason(
                READER_FEEDBACK,
                ngettext(
                    "%(count)d reader says it is out of date",
                    "%(count)d readers say it is out of date",
                    flags[OUT_OF_DATE],
                )
                % {"count": flags[OUT_OF_DATE]},
            )
        )
    if HARD_TO_UNDERSTAND in flags:
        reasons.append(
            Reason(
                READER_FEEDBACK,
                ngettext(
                    "%(count)d reader found it hard to understand",
                    "%(count)d readers found it hard to understand",
                    flags[HARD_TO_UNDERSTAND],
                )
                % {"count": flags[HARD_TO_UNDERSTAND]},
            )
        )
    return reasons


def attach_reasons(pages, on=None):
    """Set ``review_reasons`` on each page, loading rating summaries and feedback in one query each."""
    from treatment_pages.feedback.service import flagged_reasons
    from treatment_pages.models import RatingSummary

    pages = list(pages)
    summaries = RatingSummary.for_pages(page.pk for page in pages)
    flags = flagged_reasons(page.pk for page in pages)
    for page in pages:
        page.review_reasons = reasons_for(page, on, summaries[page.pk], flags.get(page.pk, {}))
    return pages


# --- Sign-off ------------------------------------------------------------------------------


def reviewer_for_user(user):
    """The clinician linked to ``user``'s admin login, or None."""
    from treatment_pages.models import Clinician

    if user is None or not user.is_authenticated:
        return None
    return Clinician.objects.filter(user=user).first()


def stamp_review(page, user=None, on=None):
    """Record a clinical review on ``page`` (not saved): reviewer, ``last_reviewed``, next due date."""
    on = on or today()
    clinician = reviewer_for_user(user)
    if clinician is not None:
        page.medical_reviewer = clinician
    page.last_reviewed = on
    page.next_review_due = next_review_due_after(page, on)
    return page


def stamp_review_revision(page, user, on=None, note=""):
    """Save the article's latest draft with the review stamped, as a new revision (returned),
    and seal that draft's content as reviewed, with the reviewer's public change ``note``.

    Used by the "Clinical review" workflow task before it approves: the workflow publishes
    the latest revision, so the stamp goes live with the approval.
    """
    from treatment_pages.models import TreatmentPage
    from treatment_pages.review import seal

    page = page.specific
    if not isinstance(page, TreatmentPage):
        return None
    draft = page.get_latest_revision_as_object()
    stamp_review(draft, user, on)
    # The note of the editor's draft was for readers of a change; the review's note replaces it.
    draft.change_note, draft.change_is_non_clinical = "", False
    revision = draft.save_revision(user=user, clean=False, log_action=True)
    seal.sign(
        draft,
        reviewer=draft.medical_reviewer,
        reviewed_on=draft.last_reviewed,
        user=user,
        revision=revision,
        note=note,
    )
    return revision


# --- Digests -------------------------------------------------------------------------------


@dataclass
class DigestItem:
    title: str
    admin_url: str
    reasons: list


def admin_url(page):
    """The article's edit screen, as an absolute URL (for emails and exports)."""
    return f"{(get_admin_base_url() or '').rstrip('/')}{reverse('wagtailadmin_pages:edit', args=[page.pk])}"


def _clinical_reviewer_users():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=conf.clinical_reviewers_group())
        .exclude(email="")
        .distinct()
    )


def build_digests(on=None):
    """``{user: [DigestItem, ...]}``: each reviewer's due, overdue and low-rated articles.

    An article goes to its medical reviewer's login; one with no reviewer who can receive
    mail goes to every member of the "Clinical reviewers" group.
    """
    on = on or today()
    pages = attach_reasons(review_queue(on=on), on)
    digests = defaultdict(list)
    group_members = None
    for page in pages:
        item = DigestItem(page.title, admin_url(page), [reason.text for reason in page.review_reasons])
        reviewer = page.medical_reviewer
        user = reviewer.user if reviewer is not None else None
        if user is not None and user.is_active and user.email:
            digests[user].append(item)
            continue
        if group_members is None:
            group_members = list(_clinical_reviewer_users())
        for member in group_members:
            digests[member].append(item)
    return dict(digests)


def digest_message(user, items):
    """The digest email for one reviewer: article titles, reasons and admin links only."""
    context = {"user": user, "items": items}
    subject = ngettext(
        "%(count)d article needs clinical review", "%(count)d articles need clinical review", len(items)
    ) % {"count": len(items)}
    body = render_to_string("treatment_pages/review/digest_email.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def send_review_digests(on=None):
    """Email every reviewer their digest; returns the number of emails sent."""
    sent = 0
    for user, items in build_digests(on).items():
        sent += digest_message(user, items).send()
    return sent


def ensure_clinical_reviewers_group():
    """The "Clinical reviewers" group, able to sign in to the admin, created if missing.

    Migration 0007 creates it on every database; this restores it after it was deleted
    in the admin (or flushed by a test run), e.g. from ``load_demo``.
    """
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.get_or_create(name=conf.clinical_reviewers_group())
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return group
