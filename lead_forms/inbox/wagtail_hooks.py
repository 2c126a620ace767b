"""Admin wiring for appointment requests: the staff inbox, permissions, audit actions, delete URL."""

import datetime
import json

from django.apps import apps
from django.contrib import messages
from django.contrib.admin import ListFilter, SimpleListFilter
from django.contrib.auth.models import Permission
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import URLPattern, path, re_path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from wagtail import hooks
from wagtail.admin.views.pages.bulk_actions.delete import DeleteBulkAction
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register

from ..models import AppointmentFormPage, AppointmentSubmission
from ..submissions.phones import display_phone, tel_uri
from . import audit, dashboard, deletion, export, idle
from .permissions import (
    PERMISSION_CODENAME,
    filter_form_submissions_for_user,
    require_patient_data_access,
    submissions_for_user,
    user_can_read_submission,
    user_can_view_requests,
)
from .views import (
    AppointmentDeleteSubmissionsView,
    InboxDeleteView,
    InboxIndexView,
    InboxInspectView,
    apply_spam_choice,
    note_view_for,
    status_view_for,
)


class FormPageFilter(SimpleListFilter):
    title = "form page"
    template = "lead_forms/admin/list_filter.html"
    parameter_name = "form"

    def lookups(self, request, model_admin):
        return [
            (str(pk), title)
            for pk, title in AppointmentFormPage.objects.order_by("title").values_list("pk", "title")
        ]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(page_id=int(self.value()))
        return queryset


class StatusFilter(SimpleListFilter):
    title = "status"
    template = "lead_forms/admin/list_filter.html"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return AppointmentSubmission.Status.choices

    def queryset(self, request, queryset):
        if self.value() in AppointmentSubmission.Status.values:
            return queryset.filter(status=self.value())
        return queryset


class SpamFilter(SimpleListFilter):
    """Suspected spam is hidden until staff ask for it."""

    title = "suspected spam"
    parameter_name = "spam"
    template = "lead_forms/admin/list_filter.html"

    def lookups(self, request, model_admin):
        return [("include", "Include suspected spam"), ("only", "Only suspected spam")]

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["display"] = "Hide suspected spam"
        return choices

    def queryset(self, request, queryset):
        return apply_spam_choice(queryset, self.value())


DATE_MESSAGES = {
    "received_from": gettext_lazy("Enter the start date as YYYY-MM-DD."),
    "received_to": gettext_lazy("Enter the end date as YYYY-MM-DD."),
}


class ReceivedDateRangeFilter(ListFilter):
    """Received between two dates (inclusive), typed as YYYY-MM-DD.

    A date that is not one, or is outside ``export.FIRST_DAY``..``export.LAST_DAY``, is
    reported next to its field (``errors``: parameter -> message) and not applied; the
    inbox refuses to export while a filter is in error (``InboxIndexView.as_spreadsheet``).
    """

    title = "date received"
    template = "lead_forms/admin/date_range_filter.html"
    parameters = ("received_from", "received_to")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.values = {}
        self.errors = {}
        for name in self.parameters:
            raw = params.pop(name, None)
            value = (raw[-1] if isinstance(raw, list) else raw or "").strip()
            if not value:
                continue
            try:
                day = datetime.date.fromisoformat(value)
            except ValueError:
                self.errors[name] = DATE_MESSAGES[name]
                continue
            try:
                self.values[name] = export.check_filter_date(day)
            except ValueError as error:
                self.errors[name] = str(error)
        self.request = request

    def has_output(self):
        return True

    def chosen_display(self):
        """The dates in force as people read them ("from 2026-01-01 to 2026-01-31"), or ""."""
        start, end = self.values.get("received_from"), self.values.get("received_to")
        if start and end:
            return gettext("from %(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
        if start:
            return gettext("from %(start)s") % {"start": start.isoformat()}
        if end:
            return gettext("until %(end)s") % {"end": end.isoformat()}
        return ""

    def expected_parameters(self):
        return list(self.parameters)

    def queryset(self, request, queryset):
        tz = timezone.get_current_timezone()
        if "received_from" in self.values:
            start = datetime.datetime.combine(self.values["received_from"], datetime.time.min, tzinfo=tz)
            queryset = queryset.filter(submit_time__gte=start)
        if "received_to" in self.values:
            end = datetime.datetime.combine(
                self.values["received_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
            queryset = queryset.filter(submit_time__lt=end)
        return queryset

    def choices(self, changelist):
        # Read by the template: the current values and the other query parameters to keep.
        keep = [
            (key, value)
            for key, values in self.request.GET.lists()
            for value in values
            if key not in self.parameters and key not in ("p", "export")
        ]
        yield {
            "from": self.request.GET.get("received_from", ""),
            "to": self.request.GET.get("received_to", ""),
            "errors": self.errors,
            "keep": keep,
        }


class InboxPermissionHelper(PermissionHelper):
    """Everything in the inbox needs the patient-data permission; requests are never created or edited here."""

    def get_all_model_permissions(self):
        # Offered on the group edit screen: the one permission that matters.
        return Permission.objects.filter(
            content_type__app_label=self.opts.app_label,
            content_type__model=self.opts.model_name,
            codename=PERMISSION_CODENAME,
        )

    def user_can_list(self, user):
        return user_can_view_requests(user)

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    # Asked for every row and button of the list: answered from what was read once per request.
    def user_can_inspect_obj(self, user, obj):
        return user_can_read_submission(user, obj)

    def user_can_delete_obj(self, user, obj):
        return user_can_read_submission(user, obj)


class AppointmentRequestAdmin(ModelAdmin):
    """The front desk's inbox: every appointment request across all form pages, newest first."""

    model = AppointmentSubmission
    menu_label = "Appointment requests"
    menu_icon = "form"
    menu_order = 250
    add_to_admin_menu = True
    permission_helper_class = InboxPermissionHelper
    index_view_class = InboxIndexView
    inspect_view_class = InboxInspectView
    delete_view_class = InboxDeleteView
    inspect_view_enabled = True
    inspect_template_name = "lead_forms/admin/appointment_request_inspect.html"
    # The reference first: patients are told to quote it.
    list_display = ("reference", "received", "patient_name", "contact", "form_page", "status_label")
    list_display_add_buttons = "patient_name"
    index_template_name = "lead_forms/admin/appointment_request_index.html"
    index_view_extra_js = ["lead_forms/admin/announce-messages.js", "lead_forms/admin/inbox-filters.js"]
    inspect_view_extra_js = ["lead_forms/admin/announce-messages.js"]
    index_view_extra_css = ["lead_forms/admin/requests.css"]
    inspect_view_extra_css = ["lead_forms/admin/requests.css"]
    list_filter = (FormPageFilter, StatusFilter, ReceivedDateRangeFilter, SpamFilter)
    # Searched through blind indexes (AppointmentSubmission.objects.search): these are encrypted.
    search_fields = ("name", "email", "phone", "reference")
    ordering = ("-submit_time", "-pk")
    list_per_page = 50
    list_select_related = ("page",)
    # Non-empty so the index shows the CSV/XLSX buttons; the columns come from lead_forms.inbox.export.
    list_export = ("reference",)

    def get_queryset(self, request):
        return submissions_for_user(request.user).select_related("page")

    def received(self, obj):
        # In the clinic's time zone (TIME_ZONE, or the user's own in their Wagtail account settings).
        local = timezone.localtime(obj.submit_time)
        return format_html(
            '<time datetime="{}">{}</time>', local.isoformat(), local.strftime("%d %b %Y %H:%M %Z")
        )

    received.short_description = "Received"
    received.admin_order_field = "submit_time"

    def patient_name(self, obj):
        return obj.name

    # A display method, not the model field, so the column offers no sorting: the stored
    # names are ciphertext, and sorting by them would look like an order but be random.
    patient_name.short_description = "Name"

    def contact(self, obj):
        """The preferred contact method and the phone (a ``tel:`` link) or email (a ``mailto:`` link)."""
        if obj.phone and (obj.contact_method.lower().startswith("phone") or not obj.email):
            detail = format_html('<a href="{}">{}</a>', tel_uri(obj.phone), display_phone(obj.phone))
        elif obj.email:
            detail = format_html('<a href="mailto:{}">{}</a>', obj.email, obj.email)
        else:
            detail = ""
        if obj.contact_method:
            return format_html("{}: {}", obj.contact_method, detail) if detail else obj.contact_method
        return detail

    contact.short_description = "Contact method"

    def form_page(self, obj):
        return obj.page.title

    form_page.short_description = "Form page"

    def status_label(self, obj):
        if obj.is_spam:
            return format_html("{} <b>(suspected spam)</b>", obj.get_status_display())
        return obj.get_status_display()

    status_label.short_description = "Status"
    status_label.admin_order_field = "status"

    def get_admin_urls_for_registration(self):
        """Every URL of the inbox, each behind the patient-data permission (and a readable id).

        wagtail-modeladmin's own views check only what its permission helper is asked
        (its history view asks nothing), so the check wraps each URL instead of each view:
        a view added here or upstream is covered too (tests/lead_forms/test_inbox_access.py
        walks them all).
        """
        urls = (
            *super().get_admin_urls_for_registration(),
            re_path(
                self.url_helper.get_action_url_pattern("status"),
                status_view_for(self),
                name=self.url_helper.get_action_url_name("status"),
            ),
            re_path(
                self.url_helper.get_action_url_pattern("note"),
                note_view_for(self),
                name=self.url_helper.get_action_url_name("note"),
            ),
        )
        return tuple(
            URLPattern(url.pattern, require_patient_data_access(url.callback), url.default_args, url.name)
            for url in urls
        )


modeladmin_register(AppointmentRequestAdmin)


# Wagtail's "Forms" menu and the host's own form pages are left alone: this hook only decides
# who sees appointment forms there (the patient-data permission, not page rights), and an
# appointment form's submissions URL leads to the inbox (AppointmentSubmissionsListView), so
# patient data is shown only where access is audited. (The menu itself: see below.)
@hooks.register("filter_form_submissions_for_user")
def appointment_forms_need_the_patient_data_permission(user, editable_forms):
    return filter_form_submissions_for_user(user, editable_forms)


@hooks.register("register_log_actions")
def register_appointment_log_actions(actions):
    audit.register_log_actions(actions)


# Ordered before wagtail.contrib.forms' own URLs so this view answers Wagtail's delete URL
# (the name "wagtailforms:delete_submissions" still reverses to the same path).
@hooks.register("register_admin_urls", order=-1)
def register_delete_submissions_url():
    return [
        path(
            "forms/submissions/<int:page_id>/delete/",
            AppointmentDeleteSubmissionsView.as_view(),
            name="lead_forms_delete_submissions",
        )
    ]


@hooks.register("register_admin_urls")
def register_idle_session_url():
    return [path("lead-forms/session/", idle.idle_session, name="lead_forms_idle_session")]


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    """The second factor's pages (lead_forms.staff_sign_in.two_factor), where django-otp is installed."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return []
    from ..staff_sign_in import two_factor
    from ..staff_sign_in import views as two_factor_views

    return [
        path("lead-forms/two-factor/enrol/", two_factor_views.enrol, name=two_factor.ENROL_URL_NAME),
        path("lead-forms/two-factor/verify/", two_factor_views.verify, name=two_factor.VERIFY_URL_NAME),
        path(
            "lead-forms/two-factor/recovery-codes/",
            two_factor_views.recovery_codes,
            name=two_factor.RECOVERY_CODES_URL_NAME,
        ),
    ]


@hooks.register("register_account_menu_item")
def recovery_codes_account_item(request):
    """Account › Recovery codes, for people who have an authenticator app set up."""
    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return None
    from ..staff_sign_in import two_factor

    if two_factor.totp_device(request.user) is None:
        return None
    return {
        "url": reverse(two_factor.RECOVERY_CODES_URL_NAME),
        "label": gettext("Recovery codes"),
        "help_text": gettext(
            "Make new single-use codes for signing in when your authenticator app is not at hand."
        ),
    }


@hooks.register("insert_global_admin_js")
def idle_logout_warning_js():
    # The hook has no request: the script asks lead_forms_idle_session whether it applies.
    return format_html(
        '<script src="{}" data-url="{}" data-warn-seconds="{}" data-title="{}" data-warning="{}"'
        ' data-time-left="{}" data-milestones="{}" data-stay-label="{}" defer></script>',
        static("lead_forms/js/idle-logout.js"),
        reverse("lead_forms_idle_session"),
        idle.WARN_SECONDS,
        gettext("You will be signed out soon"),
        gettext(
            "You have been inactive for a while. To protect patient data you will be signed out in "
            "a minute, and anything you have not saved will be lost. Press any key or choose "
            "“Stay signed in” to carry on."
        ),
        gettext("Time left: %(time)s"),
        json.dumps(idle.milestone_messages()),
        gettext("Stay signed in"),
    )


# --- Form pages holding requests are never deleted (lead_forms.inbox.deletion) ----------------


@hooks.register("register_log_actions")
def register_delete_refused_log_action(actions):
    actions.register_action(deletion.DELETE_REFUSED)(deletion.DeleteRefusedFormatter)


def _refuse_deletion(request, pages, source):
    count = deletion.requests_held(pages)
    if not count:
        return None
    for page in pages:
        deletion.log_refusal(page, request.user, deletion.requests_held([page]), source)
    messages.error(request, deletion.refusal_message(count))
    return redirect(request.META.get("HTTP_REFERER") or reverse("wagtailadmin_explore", args=[pages[0].pk]))


@hooks.register("before_delete_page")
def refuse_deleting_pages_holding_requests(request, page):
    """Deleting a form page (or an ancestor of one) that holds requests is refused with a message."""
    return _refuse_deletion(request, [page], "admin")


class DeletePagesHoldingNoRequestsBulkAction(DeleteBulkAction):
    """Wagtail's bulk page "Delete", refusing pages that hold appointment requests (or whose
    descendants do) with the count and what to do, and logging the refusal.

    It runs before Wagtail's own protected-reference check, which would otherwise refuse a
    form page itself with a generic message and no log entry.
    """

    template_name = "lead_forms/admin/confirm_bulk_delete_pages.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        held = deletion.requests_held([item["item"] for item in context["items"]])
        context["requests_refusal"] = deletion.refusal_message(held) if held else ""
        return context

    def prepare_action(self, objects, objects_without_access):
        refused = _refuse_deletion(self.request, list(objects), "admin_bulk")
        if refused is not None:
            return refused
        return super().prepare_action(objects, objects_without_access)


# Ordered after Wagtail's own registration, which it replaces for pages.
hooks.register("register_bulk_action", DeletePagesHoldingNoRequestsBulkAction, order=1)


@hooks.register("construct_main_menu")
def hide_forms_menu_listing_only_appointment_forms(request, menu_items):
    """Wagtail's "Forms" menu stays whenever it lists any other form type (a host's contact form,
    say). It goes only for users to whom it would list appointment forms alone: their door to
    those is "Appointment requests", and without page rights the Forms listing refuses them."""
    if get_forms_for_user(request.user).not_type(AppointmentFormPage).exists():
        return
    menu_items[:] = [item for item in menu_items if item.name != "forms"]


@hooks.register("construct_homepage_panels")
def add_new_requests_panel(request, panels):
    dashboard.construct_homepage_panels(request, panels)
