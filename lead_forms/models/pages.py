"""The appointment request form page and its editor-defined fields."""

import logging
from dataclasses import dataclass
from functools import partial
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import is_ratelimited
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES, AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField
from wagtail.search import index

from ..forms import AppointmentFormBuilder
from ..serializers import FormDefinitionField
from ..tasks import enqueue_notifications
from .submissions import AppointmentSubmission

logger = logging.getLogger(__name__)

FIELD_TYPE_CHOICES = (*FORM_FIELD_CHOICES, ("phone", "Phone number"))
RATE_LIMIT_GROUP = "lead_forms.submission"
DEFAULT_RATE_LIMIT = "5/m"
# The inbox's detail view (wagtail-modeladmin names it after the model).
INBOX_DETAIL_URL_NAME = "lead_forms_appointmentsubmission_modeladmin_inspect"


@dataclass
class SubmissionOutcome:
    """What ``AppointmentFormPage.submit`` did with one request.

    ``rate_limited``: refused, nothing stored, ``form`` is None. Otherwise ``form``
    is the bound form; ``submission`` is set when the request was stored (it may
    be flagged as spam) and None when the form has errors.
    """

    form: object = None
    submission: AppointmentSubmission | None = None
    rate_limited: bool = False

    @property
    def accepted(self):
        return self.submission is not None


class AppointmentFormField(AbstractFormField):
    """One field an editor adds to an appointment form (label, type, choices, required)."""

    field_type = models.CharField(verbose_name="field type", max_length=16, choices=FIELD_TYPE_CHOICES)
    # Wagtail needs the type to build previews of unsaved forms (see AbstractFormField).
    field_type.required_on_save = True
    page = ParentalKey("AppointmentFormPage", on_delete=models.CASCADE, related_name="form_fields")


class SpamHidingSubmissionsPanel(FormSubmissionsPanel):
    """Wagtail's submissions summary on the edit screen, counting only non-spam requests."""

    class BoundPanel(FormSubmissionsPanel.BoundPanel):
        @property
        def submissions(self):
            if not self.instance.pk:
                return AppointmentSubmission.objects.none()
            return AppointmentSubmission.objects.filter(page=self.instance).not_spam()


class AppointmentFormPage(AbstractEmailForm):
    """A form patients use to request an appointment; editors choose its fields.

    Submissions are stored before anything else happens, spam is flagged and kept,
    and the coordinator is emailed in the background without any patient data.
    Placement is up to the project (the demo allows it below the home page).
    """

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    thank_you_text = RichTextField(
        blank=True,
        features=["bold", "italic", "link"],
        help_text="Shown after a patient sends the form, above their reference number.",
    )
    send_confirmation = models.BooleanField(
        "email the patient a confirmation",
        default=False,
        help_text="Sent to the first email field's address. It contains only the text below and the reference.",
    )
    confirmation_subject = models.CharField(
        max_length=200, blank=True, default="We have received your appointment request"
    )
    confirmation_text = models.TextField(
        blank=True,
        help_text="Plain text. Do not include health details: email is not a private channel.",
    )

    content_panels = AbstractEmailForm.content_panels + [
        SpamHidingSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("from_address", permission="superuser"),
                        FieldPanel("to_address", permission="superuser"),
                    ]
                ),
                FieldPanel("subject"),
            ],
            heading="Coordinator notification",
        ),
        MultiFieldPanel(
            [
                FieldPanel("send_confirmation"),
                FieldPanel("confirmation_subject"),
                FieldPanel("confirmation_text"),
            ],
            heading="Patient confirmation",
        ),
    ]
    search_fields = AbstractEmailForm.search_fields + [index.SearchField("intro")]
    # The fields as a front end needs them to render the form (never the to/from addresses);
    # posting answers is the v3 API's job (lead_forms.api).
    api_fields = [
        APIField("intro"),
        APIField("thank_you_text"),
        APIField("form_fields", serializer=FormDefinitionField()),
    ]

    subpage_types = []

    form_builder = AppointmentFormBuilder
    template = "lead_forms/appointment_form_page.html"
    landing_page_template = "lead_forms/appointment_form_page_landing.html"
    rate_limited_template = "lead_forms/appointment_form_page_rate_limited.html"
    # Read by the "Next steps" block's template (duck typing: treatment_pages does not import us).
    embedded_form_template = "lead_forms/includes/appointment_form_embedded.html"

    class Meta:
        verbose_name = "appointment form page"

    # --- Wagtail form extension points -------------------------------------------------

    def get_submission_class(self):
        """Submissions are ``AppointmentSubmission`` rows (reference, spam flag, delivery status)."""
        return AppointmentSubmission

    def get_submissions_list_view_class(self):
        """The admin's per-form list, which hides suspected spam unless asked."""
        from ..views import AppointmentSubmissionsListView

        return self.submissions_list_view_class or AppointmentSubmissionsListView

    def get_data_fields(self):
        """Columns of the submissions list and export: the reference first, the spam reason last."""
        return [("reference", "Reference"), *super().get_data_fields(), ("spam_reason", "Suspected spam")]

    def process_form_submission(self, form):
        """Store the valid ``form`` (flagged if it looks automated), then queue the emails.

        Replaces EmailFormMixin's synchronous ``send_mail``: the row is committed
        first and mail goes through django-tasks after the commit, so a mail
        server that is down can neither lose the request nor show the patient an error.
        """
        spam_reason = form.get_spam_reason()
        notify = not spam_reason and bool(self.to_address.strip())
        confirm = not spam_reason and self.send_confirmation
        status = AppointmentSubmission.NotificationStatus
        with transaction.atomic():
            submission = self.get_submission_class()(
                page=self,
                form_data=form.get_submission_data(),
                is_spam=bool(spam_reason),
                spam_reason=spam_reason,
                notification_status=status.PENDING if notify else status.NOT_SENT,
            )
            submission.fill_contact_columns(self.get_form_fields())
            submission.save()
            if spam_reason:
                logger.info(
                    "Appointment request %s on form %s flagged as suspected spam: %s",
                    submission.pk,
                    self.pk,
                    spam_reason,
                )
            elif notify or confirm:
                transaction.on_commit(partial(enqueue_notifications, submission.pk, notify, confirm))
        return submission

    # --- The one submission pipeline (HTML view now, JSON API later) -------------------

    def is_rate_limited(self, request):
        """Count this request against the client's limit; True when it is over.

        The client IP comes from django-ratelimit's ``RATELIMIT_IP_META_KEY``
        (the project's trusted-proxy aware resolver); one budget covers every form.
        """
        rate = getattr(settings, "LEAD_FORMS_RATE_LIMIT", DEFAULT_RATE_LIMIT)
        try:
            return is_ratelimited(request, group=RATE_LIMIT_GROUP, key="ip", rate=rate, increment=True)
        except Exception as exc:
            # A cache outage must not turn patients away; the honeypot and time-trap still apply.
            logger.error("Rate limit check failed (%s); request allowed", type(exc).__name__)
            return False

    def submit(self, data, request):
        """Validate, check for spam, rate-limit, store and queue notifications for ``data``.

        The single entry point for every way a patient can send a request: the
        page's own POST (``serve``) and an API that passes the decoded JSON as
        ``data`` (including the ``form-token`` from ``issue_form_token()``).
        Returns a ``SubmissionOutcome``; never raises for a mail failure.
        """
        if self.is_rate_limited(request):
            logger.warning("Appointment form %s: client over the rate limit, request refused", self.pk)
            return SubmissionOutcome(rate_limited=True)
        form = self.get_form(data, page=self, user=getattr(request, "user", None))
        if not form.is_valid():
            return SubmissionOutcome(form=form)
        return SubmissionOutcome(form=form, submission=self.process_form_submission(form))

    def issue_form_token(self):
        """A fresh signed time-trap token for clients that render the form themselves."""
        from ..spam import issue_time_token

        return issue_time_token(self.pk)

    # Wagtail's serve() validates inline with no way to answer 429 or to share the
    # pipeline above with an API, so POSTs are routed through submit(); GETs and
    # previews stay Wagtail's.
    @method_decorator(sensitive_post_parameters())
    def serve(self, request, *args, **kwargs):
        response = self._serve(request, *args, **kwargs)
        # The form carries this reader's CSRF and time-trap tokens: never in a shared cache.
        add_never_cache_headers(response)
        return response

    def _serve(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().serve(request, *args, **kwargs)
        outcome = self.submit(request.POST, request)
        if outcome.rate_limited:
            return self.render_rate_limited(request)
        if outcome.accepted:
            return self.render_landing_page(request, outcome.submission, *args, **kwargs)
        context = self.get_context(request)
        context["form"] = outcome.form
        return TemplateResponse(request, self.get_template(request), context)

    def render_rate_limited(self, request):
        """The 429 page: what happened and how else to reach the clinic."""
        response = TemplateResponse(
            request, self.rate_limited_template, self.get_context(request), status=429
        )
        response["Retry-After"] = "60"
        return response

    def get_embedded_form(self):
        """An empty form for embedding on another page (it posts to this page)."""
        return self.get_form(page=self, user=None)

    # --- Emails (overridable; keep them free of patient data) --------------------------

    def get_admin_submission_url(self, submission):
        """Absolute URL of this submission's page in the staff inbox (sign-in and permission required)."""
        path = reverse(INBOX_DETAIL_URL_NAME, args=[submission.pk])
        return urljoin(settings.WAGTAILADMIN_BASE_URL, path)

    def get_notification_message(self, submission):
        """The coordinator's email: form name, reference and admin link, no patient data."""
        subject = f"{self.subject or 'New appointment request'} ({submission.reference})"
        body = "\n".join(
            [
                f"A new appointment request arrived through the form “{self.title}”.",
                "",
                f"Reference: {submission.reference}",
                f"Received: {timezone.localtime(submission.submit_time):%d %B %Y %H:%M %Z}",
                "",
                "Read it in the admin (sign-in required):",
                self.get_admin_submission_url(submission),
            ]
        )
        recipients = [address.strip() for address in self.to_address.split(",") if address.strip()]
        return EmailMessage(
            subject=subject,
            body=body,
            from_email=self.from_address or None,
            to=recipients,
        )

    def get_confirmation_message(self, submission):
        """The patient's receipt (editor's text and the reference), or None without an address."""
        if not self.send_confirmation:
            return None
        email_fields = [field.clean_name for field in self.get_form_fields() if field.field_type == "email"]
        address = next(
            (submission.form_data.get(name) for name in email_fields if submission.form_data.get(name)), ""
        )
        if not address:
            return None
        body = "\n\n".join(
            part
            for part in (
                self.confirmation_text.strip(),
                f"Your reference: {submission.reference}",
            )
            if part
        )
        return EmailMessage(
            subject=self.confirmation_subject or "We have received your appointment request",
            body=body,
            from_email=self.from_address or None,
            to=[address],
        )
