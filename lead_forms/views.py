"""Admin views for appointment requests: Wagtail's per-form list and delete, and the staff inbox."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_filters import CharFilter, ChoiceFilter
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.forms.views import DeleteSubmissionsView, SubmissionsListFilterSet, SubmissionsListView
from wagtail_modeladmin.views import DeleteView, IndexView, InspectView

from . import audit, export
from .models import AppointmentFormPage, AppointmentSubmission, StatusChange
from .permissions import get_submission_for_user, submissions_for_user, user_can_view_requests

MIN_PHONE_SEARCH_DIGITS = 4
INBOX_INDEX_URL_NAME = "lead_forms_appointmentsubmission_modeladmin_index"
SPAM_INCLUDE = "include"
SPAM_ONLY = "only"

# What a front-desk user can set on a request: a workflow status, or the spam flag.
MARK_SPAM = StatusChange.Value.SPAM
MARK_NOT_SPAM = StatusChange.Value.NOT_SPAM
STATUS_ACTIONS = {*AppointmentSubmission.Status.values, MARK_SPAM, MARK_NOT_SPAM}


def without_export(query):
    """``query`` (a QueryDict) urlencoded without its ``export`` parameter."""
    query = query.copy()
    query.pop("export", None)
    return query.urlencode()


def apply_spam_choice(queryset, choice):
    """Hide suspected spam unless ``choice`` is ``include`` (all) or ``only``."""
    if choice == SPAM_ONLY:
        return queryset.filter(is_spam=True)
    if choice == SPAM_INCLUDE:
        return queryset
    return queryset.filter(is_spam=False)


class AppointmentSubmissionsFilterSet(SubmissionsListFilterSet):
    """Wagtail's date filter plus a reference search and the suspected-spam switch."""

    reference = CharFilter(label="Reference", lookup_expr="iexact", widget=forms.TextInput)
    spam = ChoiceFilter(
        label="Suspected spam",
        choices=[(SPAM_INCLUDE, "Include suspected spam"), (SPAM_ONLY, "Only suspected spam")],
        empty_label="Hide suspected spam",
        # Applied in the view's base queryset, because hiding is the default.
        method=lambda queryset, name, value: queryset,
    )


class AppointmentSubmissionsListView(SubmissionsListView):
    """Wagtail's per-form submissions list with suspected spam hidden by default.

    Access follows ``filter_form_submissions_for_user`` (the patient-data
    permission); the export is the project's streamed, formula-safe one
    instead of Wagtail's (which loads every row first); each view and export is audited.
    """

    filterset_class = AppointmentSubmissionsFilterSet

    def get_base_queryset(self):
        queryset = submissions_for_user(self.request.user, page=self.form_page)
        return apply_spam_choice(queryset, self.request.GET.get("spam"))

    def _filters(self):
        return {key: self.request.GET.get(key) for key in ("date_from", "date_to", "reference", "spam")} | {
            "page": self.form_page.pk
        }

    def get(self, request, *args, **kwargs):
        if self.is_export:
            # Before the listing's context, which counts (and so loads) every row.
            return self.export(self.get_queryset(), request.GET.get("export"))
        # Staff have one place for patient data: the inbox, filtered to this form. (This
        # URL stays for links to it and for its per-form export, whose columns follow the
        # form's fields.) Access was checked above by Wagtail's own dispatch.
        query = request.GET.copy()
        query["form"] = str(self.form_page.pk)
        return redirect(f"{reverse(INBOX_INDEX_URL_NAME)}?{query.urlencode()}")

    def export(self, queryset, fmt):
        user = self.request.user
        too_many = export.xlsx_too_large(queryset) if fmt == "xlsx" else None
        if too_many:
            messages.error(self.request, export.xlsx_too_large_message(too_many))
            return redirect(self.get_index_url() + "?" + without_export(self.request.GET))
        columns = export.export_columns([self.form_page], with_page=False)
        filters = self._filters()

        def on_complete(rows):
            audit.log_export(user, fmt=fmt, rows=rows, filters=filters, page=self.form_page)

        return export.export_response(fmt, queryset, columns, self.form_page, on_complete=on_complete)

    def render_to_response(self, context, **response_kwargs):
        audit.log_inbox_view(self.request.user, page=self.form_page, filters=self._filters())
        return super().render_to_response(context, **response_kwargs)


class AppointmentDeleteSubmissionsView(DeleteSubmissionsView):
    """Wagtail's delete-submissions view, served at its URL, with object-level checks and an audit entry.

    Ids from ``selected-submissions`` are looked up only among the requests of
    the form in the URL that the user may read, so ids of another form delete
    nothing (the pattern of Wagtail advisory CVE-2026-44199).
    """

    def get_queryset(self):
        ids = [value for value in self.request.GET.getlist("selected-submissions") if value.isdigit()]
        if isinstance(self.page, AppointmentFormPage):
            return submissions_for_user(self.request.user, page=self.page).filter(pk__in=ids)
        return super().get_queryset()

    def handle_delete(self, submissions):
        if isinstance(self.page, AppointmentFormPage):
            references = list(submissions.values_list("reference", flat=True))
            with transaction.atomic():
                audit.log_delete(
                    self.request.user, count=len(references), page=self.page, references=references
                )
                submissions.delete()
            messages.success(self.request, f"{len(references)} appointment request(s) deleted.")
            return
        super().handle_delete(submissions)


# --- The staff inbox (wagtail-modeladmin views, registered in wagtail_hooks.py) ----------------


def search_requests(queryset, term):
    """The inbox's search (also the API's): name, email, phone or reference contain ``term``;
    a typed phone number also matches its digits."""
    term = (term or "").strip()
    if not term:
        return queryset
    condition = Q(name__icontains=term) | Q(email__icontains=term) | Q(reference__icontains=term)
    condition |= Q(phone__icontains=term)
    digits = "".join(ch for ch in term if ch.isdigit())
    # Phones are stored as digits (and a leading +): "(217) 555-0101" finds "+12175550101".
    if len(digits) >= MIN_PHONE_SEARCH_DIGITS:
        condition |= Q(phone__contains=digits)
    return queryset.filter(condition)


def submission_answers(submission, form_fields=None):
    """``(field name, label, value)`` in form order; answers to fields since removed follow under their key.

    ``form_fields`` (the form page's ``get_form_fields()``) saves the lookups when listing many.
    """
    if form_fields is None:
        form_fields = submission.page.specific.get_form_fields()
    data = submission.form_data or {}
    answers, seen = [], set()
    for field in form_fields:
        seen.add(field.clean_name)
        answers.append((field.clean_name, field.label, export.format_value(data.get(field.clean_name))))
    answers += [(key, key, export.format_value(value)) for key, value in data.items() if key not in seen]
    return answers


class InboxIndexView(IndexView):
    """Every request the user may read, newest first, filtered and searchable; exports stream."""

    def get_filters(self, request):
        specs, has_filters, _remaining, use_distinct = super().get_filters(request)
        # Only the declared filters apply: other query parameters are ignored
        # rather than turned into ORM lookups on patient data.
        return specs, has_filters, {}, use_distinct

    def get_search_results(self, request, queryset, search_term):
        return search_requests(queryset, search_term)

    def _filters(self):
        keys = ("form", "status", "spam", "received_from", "received_to", self.SEARCH_VAR)
        return {key: self.request.GET.get(key) for key in keys}

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """The filtered inbox as a streamed CSV or an XLSX workbook (replaces Wagtail's loader)."""
        user = self.request.user
        too_many = export.xlsx_too_large(queryset) if spreadsheet_format == "xlsx" else None
        if too_many:
            messages.error(self.request, export.xlsx_too_large_message(too_many))
            return redirect(self.index_url + "?" + without_export(self.request.GET))
        columns = export.export_columns(export.pages_for(queryset))
        filters = self._filters()

        def on_complete(rows):
            audit.log_export(user, fmt=spreadsheet_format, rows=rows, filters=filters, request=self.request)

        return export.export_response(spreadsheet_format, queryset, columns, on_complete=on_complete)

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit.log_inbox_view(request.user, request=request, filters=self._filters())
        return response


class InboxInspectView(InspectView):
    """One request: every answer labelled and ordered as in the form, its status and history."""

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_inspect_obj(user, self.instance)

    def get_answers(self):
        """(label, value) pairs in form order; answers to fields since removed follow under their key."""
        return [(label, value) for _name, label, value in submission_answers(self.instance)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "submission": self.instance,
                "answers": self.get_answers(),
                "history": self.instance.status_changes.select_related("user"),
                "status_choices": AppointmentSubmission.Status.choices,
                "status_url": self.url_helper.get_action_url("status", self.pk_quoted),
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit.log_request_view(request.user, self.instance)
        return response


class InboxDeleteView(DeleteView):
    """Delete one request after confirmation; audited as a ``lead_forms.delete`` entry."""

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            audit.log_delete(request.user, count=1, references=[self.instance.reference], request=request)
            self.instance.delete()
        messages.success(request, f"Appointment request {self.instance.reference} deleted.")
        return redirect(self.index_url)


def change_status(submission, new_value, user):
    """Set ``submission``'s status (or spam flag) to ``new_value``; record and audit it. Returns the change or None.

    Locks the row so two people clicking at once each see a correct "from" value.
    """
    with transaction.atomic():
        locked = AppointmentSubmission.objects.select_for_update().get(pk=submission.pk)
        if new_value in (MARK_SPAM, MARK_NOT_SPAM):
            old_value = MARK_SPAM if locked.is_spam else MARK_NOT_SPAM
            locked.is_spam = new_value == MARK_SPAM
            if not locked.is_spam:
                locked.spam_reason = ""
            update_fields = ["is_spam", "spam_reason"]
        else:
            old_value = locked.status
            locked.status = new_value
            update_fields = ["status"]
        if old_value == new_value:
            return None
        locked.save(update_fields=update_fields)
        change = StatusChange.objects.create(
            submission=locked, old_value=old_value, new_value=new_value, user=user
        )
        audit.log_status_change(user, locked, old_value, new_value)
    return change


def status_view_for(model_admin):
    """The inbox's "change status" POST endpoint, bound to its ModelAdmin for URLs and permissions."""

    @require_admin_access
    @require_POST
    def view(request, instance_pk):
        if not user_can_view_requests(request.user):
            raise PermissionDenied
        submission = get_submission_for_user(request.user, instance_pk)
        if submission is None:
            raise Http404("No such appointment request.")
        new_value = request.POST.get("status", "")
        detail_url = model_admin.url_helper.get_action_url("inspect", submission.pk)
        if new_value not in STATUS_ACTIONS:
            messages.error(request, "Choose one of the listed statuses.")
            return redirect(detail_url)
        change = change_status(submission, new_value, request.user)
        if change is None:
            messages.info(request, f"{submission.reference} already had that status.")
        else:
            messages.success(
                request,
                f"{submission.reference}: {change.get_old_value_display()} → {change.get_new_value_display()}.",
            )
        next_url = request.POST.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect(detail_url)

    return view


__all__ = [
    "AppointmentDeleteSubmissionsView",
    "AppointmentSubmissionsListView",
    "InboxDeleteView",
    "InboxIndexView",
    "InboxInspectView",
    "change_status",
    "status_view_for",
]
