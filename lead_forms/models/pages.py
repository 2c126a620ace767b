"""The appointment request form page and its editor-defined fields."""

import logging
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode, urljoin

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from django_ratelimit.core import is_ratelimited
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField
from wagtail.search import index
from wagtail.url_routing import RouteResult

from lead_forms.conf import app_settings
from lead_forms.submissions.client_ip import rate_limit_key

from ..submissions import spam, thank_you
from ..submissions.fields import FIELD_TYPE_CHOICES
from ..submissions.forms import AppointmentFormBuilder
from ..submissions.serializers import FormDefinitionField
from ..tasks import enqueue_notifications
from .submissions import AppointmentSubmission

logger = logging.getLogger(__name__)

try:  # Redis is optional: its errors are what an unreachable shared cache raises.
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - a host without Redis
    RedisError = OSError
# What an unreachable cache raises: socket errors (ConnectionError, TimeoutError) or Redis's own.
CACHE_ERRORS = (OSError, RedisError)

# Accepted requests (LEAD_FORMS_RATE_LIMIT), and every send accepted or not (LEAD_FORMS_SEND_RATE_LIMIT).
RATE_LIMIT_GROUP = "lead_forms.submission"
SEND_RATE_LIMIT_GROUP = "lead_forms.submission.send"
RATE_LIMIT_SETTINGS = {
    RATE_LIMIT_GROUP: "LEAD_FORMS_RATE_LIMIT",
    SEND_RATE_LIMIT_GROUP: "LEAD_FORMS_SEND_RATE_LIMIT",
}
# The inbox's detail view (wagtail-modeladmin names it after the model).
INBOX_DETAIL_URL_NAME = "lead_forms_appointmentsubmission_modeladmin_inspect"


@dataclass
class SubmissionOutcome:
    """What ``AppointmentFormPage.submit`` did with one request.

    ``rate_limited``: refused, nothing stored (``form`` is None when the send was refused
    before validation, by the ceiling on sends). Otherwise ``form`` is the bound form; ``submission`` is set when the request was stored (it may
    be flagged as spam); ``repeat_of`` is the reference of an earlier request that
    this one repeats (same answers: nothing stored). Neither: the
    form has errors.
    """

    form: object = None
    submission: AppointmentSubmission | None = None
    rate_limited: bool = False
    repeat_of: str = ""

    @property
    def accepted(self):
        """The patient's request is on file (stored now, or by the request this one repeats)."""
        return self.submission is not None or bool(self.repeat_of)

    @property
    def reference(self):
        """The reference to show the patient: the stored request's, or the repeated one's."""
        return self.submission.reference if self.submission is not None else self.repeat_of


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


# Headless preview is optional (wagtail_headless_preview). The form itself previews on the
# front end when one is configured; the thank-you ("landing") preview stays Wagtail's.
# treatment_pages has the same few lines for its pages: the two apps share no code.
if apps.is_installed("wagtail_headless_preview"):
    from wagtail_headless_preview.models import HeadlessPreviewMixin
    from wagtail_headless_preview.settings import headless_preview_settings

    class FrontEndPreviewMixin(HeadlessPreviewMixin):
        def serve_preview(self, request, mode_name):
            if headless_preview_settings.CLIENT_URLS and mode_name == self.default_preview_mode:
                return HeadlessPreviewMixin.serve_preview(self, request, mode_name)
            return super(HeadlessPreviewMixin, self).serve_preview(request, mode_name)

else:

    class FrontEndPreviewMixin:
        """Without wagtail_headless_preview, editors preview in Wagtail as usual."""


class AppointmentFormPage(FrontEndPreviewMixin, AbstractEmailForm):
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
    privacy_notice = models.TextField(
        blank=True,
        max_length=600,
        help_text="A short note shown above the Send button: who reads the request and why. "
        "Plain text, one or two sentences.",
    )
    privacy_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="privacy policy page",
        help_text="Linked after the notice, e.g. the clinic's privacy policy.",
    )

    content_panels = AbstractEmailForm.content_panels + [
        SpamHidingSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        MultiFieldPanel(
            [FieldPanel("privacy_notice"), FieldPanel("privacy_page")],
            heading="Privacy notice",
        ),
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
    # posting answers is the v3 API's job (lead_forms.api.routers).
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

    def get_context(self, request, *args, **kwargs):
        """Adds what the app's templates need from the host, through settings, never imports:
        ``base_template`` (LEAD_FORMS_BASE_TEMPLATE), ``clinic_contact`` (the site setting
        LEAD_FORMS_CONTACT_SETTINGS names, or None) and ``breadcrumb_ancestors``."""
        context = super().get_context(request, *args, **kwargs)
        context["base_template"] = app_settings.LEAD_FORMS_BASE_TEMPLATE
        context["clinic_contact"] = self.get_clinic_contact(request)
        context["breadcrumb_ancestors"] = self.get_ancestors().filter(depth__gt=1).live().specific()
        return context

    def get_clinic_contact(self, request):
        """The host's contact details (an object with ``phone``, ``phone_href``, ``email``), or None."""
        label = app_settings.LEAD_FORMS_CONTACT_SETTINGS
        if not label:
            return None
        return apps.get_model(label).for_request(request)

    # --- Wagtail form extension points -------------------------------------------------

    def get_submission_class(self):
        """Submissions are ``AppointmentSubmission`` rows (reference, spam flag, delivery status)."""
        return AppointmentSubmission

    def get_submissions_list_view_class(self):
        """The admin's per-form list, which hides suspected spam unless asked."""
        from ..inbox.views import AppointmentSubmissionsListView

        return self.submissions_list_view_class or AppointmentSubmissionsListView

    def get_data_fields(self):
        """Columns of the submissions list and export: the reference first, the spam reason last."""
        return [("reference", "Reference"), *super().get_data_fields(), ("spam_reason", "Suspected spam")]

    def process_form_submission(self, form, *, reference="", spam_reason=None):
        """Store the valid ``form`` (flagged if it looks automated), then queue the emails.

        Replaces EmailFormMixin's synchronous ``send_mail``: the row is committed
        first and mail goes through django-tasks after the commit, so a mail
        server that is down can neither lose the request nor show the patient an error.
        ``reference`` (optional) is the reference to store it under; ``spam_reason``
        (optional) overrides the form's own spam checks.
        """
        if spam_reason is None:
            spam_reason = form.get_spam_reason()
        notify = not spam_reason and bool(self.to_address.strip())
        confirm = not spam_reason and self.send_confirmation
        status = AppointmentSubmission.NotificationStatus
        with transaction.atomic():
            submission = self.get_submission_class()(
                page=self,
                reference=reference,
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

    def is_rate_limited(self, request, group=RATE_LIMIT_GROUP):
        """Count this request against the client's limit ``group``; True when it is over.

        ``RATE_LIMIT_GROUP`` counts accepted requests (``LEAD_FORMS_RATE_LIMIT``),
        ``SEND_RATE_LIMIT_GROUP`` every send (``LEAD_FORMS_SEND_RATE_LIMIT``). The client IP
        comes from ``lead_forms.submissions.client_ip`` (trusted-proxy aware, safe by
        default); one budget covers every form.
        """
        rate = getattr(app_settings, RATE_LIMIT_SETTINGS[group])
        try:
            return is_ratelimited(request, group=group, key=rate_limit_key, rate=rate, increment=True)
        except CACHE_ERRORS as exc:
            # A cache outage must not turn patients away; the honeypot and time-trap still apply.
            # Only an outage: anything else (a bad setting, input the resolver did not expect)
            # is a bug that must not switch the limit off quietly.
            logger.error("Rate limit check failed (%s); request allowed", type(exc).__name__)
            return False

    def submit(self, data, request):
        """Validate, check for spam, rate-limit, store and queue notifications for ``data``.

        The single entry point for every way a patient can send a request: the
        page's own POST (``serve``) and an API that passes the decoded JSON as
        ``data`` (including the ``form-token`` from ``issue_form_token()``).
        Returns a ``SubmissionOutcome``; never raises for a mail failure.

        A stored request spends its form token (``spam.claim_request``): sent again with
        the same answers (double click, back and resend, from the same form or a
        re-fetched one) it is a repeat that stores nothing and answers with the first
        reference; the same token with other answers is stored flagged as suspected spam
        (``spam.REASON_TOKEN_REUSED``).

        Two rate limits: every send counts against the high ``LEAD_FORMS_SEND_RATE_LIMIT``
        before validation; only a request about to be stored counts against
        ``LEAD_FORMS_RATE_LIMIT``, so a patient's mistakes never use up their budget.
        """
        if self.is_rate_limited(request, SEND_RATE_LIMIT_GROUP):
            logger.warning("Appointment form %s: client over the send ceiling, request refused", self.pk)
            return SubmissionOutcome(rate_limited=True)
        form = self.get_form(data, page=self, user=getattr(request, "user", None))
        if not form.is_valid():
            return SubmissionOutcome(form=form)
        spam_reason = form.get_spam_reason()
        # Known before saving, so the spent-token record can point a racing repeat at it.
        reference = self.get_submission_class().unused_reference()
        claim = spam.claim_request(
            self.pk,
            form.cleaned_data.get(spam.TIME_TRAP_FIELD),
            spam.answers_digest(form.get_submission_data()),
            reference,
        )
        if claim.repeat_of:
            logger.info("Appointment form %s: repeat of an earlier request, nothing stored", self.pk)
            return SubmissionOutcome(form=form, repeat_of=claim.repeat_of)
        # Counted only now: errors and repeats of a stored request are not new requests.
        if self.is_rate_limited(request):
            claim.release()
            logger.warning("Appointment form %s: client over the rate limit, request refused", self.pk)
            return SubmissionOutcome(form=form, rate_limited=True)
        if not claim.spent:
            spam_reason = spam_reason or spam.REASON_TOKEN_REUSED
        try:
            submission = self.process_form_submission(form, reference=reference, spam_reason=spam_reason)
        except Exception:
            claim.release()
            raise
        return SubmissionOutcome(form=form, submission=submission)

    def issue_form_token(self):
        """A fresh signed time-trap token for clients that render the form themselves."""
        from ..submissions.spam import issue_time_token

        return issue_time_token(self.pk)

    def route(self, request, path_components):
        """Also answer ``<this page>/thank-you/?r=<token>``, the thank-you page (``serve_thank_you``)."""
        if path_components == [thank_you.URL_SEGMENT]:
            if not self.live:
                raise Http404
            return RouteResult(
                self, kwargs={"thank_you_token": request.GET.get(thank_you.QUERY_PARAMETER, "")}
            )
        return super().route(request, path_components)

    # Wagtail's serve() validates inline with no way to answer 429 or to share the
    # pipeline above with an API, so POSTs are routed through submit(); GETs and
    # previews stay Wagtail's.
    @method_decorator(sensitive_post_parameters())
    def serve(self, request, *args, **kwargs):
        token = kwargs.pop("thank_you_token", None)
        if token is not None:
            return self.serve_thank_you(request, token)
        response = self.serve_form(request, *args, **kwargs)
        # The form carries this reader's CSRF and time-trap tokens: never in a shared cache.
        add_never_cache_headers(response)
        return response

    def serve_form(self, request, *args, **kwargs):
        if request.method != "POST":
            return super().serve(request, *args, **kwargs)
        outcome = self.submit(request.POST, request)
        if outcome.rate_limited:
            return self.render_rate_limited(request)
        if outcome.accepted:
            # Post/Redirect/Get: reloading the thank-you page sends nothing again.
            return HttpResponseRedirect(self.get_thank_you_url(request, outcome.reference), status=303)
        context = self.get_context(request)
        context["form"] = outcome.form
        return TemplateResponse(request, self.get_template(request), context)

    def get_thank_you_url(self, request, reference):
        """The signed, short-lived thank-you URL showing ``reference`` (see ``lead_forms.submissions.thank_you``)."""
        base = self.get_url(request) or self.url or "/"
        query = urlencode({thank_you.QUERY_PARAMETER: thank_you.make_token(self.pk, reference)})
        return f"{base.rstrip('/')}/{thank_you.URL_SEGMENT}/?{query}"

    def serve_thank_you(self, request, token):
        """The thank-you page: the reference only; 410 once the link expired, 404 if forged.

        Personal to whoever sent the request: never stored by any cache.
        """
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        try:
            reference = thank_you.read_token(self.pk, token)
        except thank_you.ExpiredLink:
            response = self.render_landing_page(request, expired=True, status=410)
        except signing.BadSignature as exc:
            raise Http404("No such thank-you page") from exc
        else:
            response = self.render_landing_page(request, reference=reference)
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    def render_landing_page(
        self, request, form_submission=None, *args, reference="", expired=False, status=200, **kwargs
    ):
        """The thank-you page (also Wagtail's "Landing page" preview): the reference, no answers."""
        context = self.get_context(request)
        context["reference"] = reference or getattr(form_submission, "reference", "")
        context["expired"] = expired
        return TemplateResponse(request, self.get_landing_page_template(request), context, status=status)

    def render_rate_limited(self, request):
        """The 429 page: what happened and how else to reach the clinic."""
        response = TemplateResponse(
            request, self.rate_limited_template, self.get_context(request), status=429
        )
        response["Retry-After"] = "60"
        return response

    @property
    def live_privacy_page(self):
        """The privacy policy page to link to, if it is published (else no link)."""
        page = self.privacy_page
        return page if page is not None and page.live else None

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
