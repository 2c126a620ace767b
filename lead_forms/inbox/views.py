"""Admin views for appointment requests: Wagtail's per-form list and delete, and the staff inbox."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_filters import CharFilter, ChoiceFilter
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.forms.views import DeleteSubmissionsView, SubmissionsListFilterSet, SubmissionsListView
from wagtail_modeladmin.templatetags.modeladmin_tags import result_headers
from wagtail_modeladmin.views import DeleteView, IndexView, InspectView

from ..models import AppointmentFormPage, AppointmentSubmission, StatusChange
from ..models.submissions import NOTE_MAX_LENGTH
from ..submissions.phones import display_phone, tel_uri
from . import audit, export
from .permissions import get_submission_for_user, submissions_for_user, user_can_view_requests

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


class InboxIndexView(IndexView):
    """Every request the user may read, newest first, filtered and searchable; exports stream."""

    def get_filters(self, request):
        specs, has_filters, _remaining, use_distinct = super().get_filters(request)
        # Only the declared filters apply: other query parameters are ignored
        # rather than turned into ORM lookups on patient data.
        return specs, has_filters, {}, use_distinct

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term)

    export_buttons_template_name = "lead_forms/admin/inbox_export_buttons.html"

    def result_headers(self):
        """modeladmin's column headings (sort links included), for ``result_rows``' table."""
        return list(result_headers(self))

    def result_rows(self, object_list):
        """The page's rows as HTML, in modeladmin's table markup (``modeladmin/includes/result_list.html``).

        modeladmin's own ``result_list`` tag costs several milliseconds a row (each cell goes through
        the admin's generic field lookup and attribute flattening, each row through two templates):
        at 50 rows that made the inbox twice as slow as stock Wagtail's submissions list. Here
        each cell is the ModelAdmin's own display method (one definition of what a column shows)
        and each row one ``format_html``; access was checked once for the request.
        """
        admin, buttons, user = self.model_admin, self.button_helper, self.request.user
        # Per column: the ModelAdmin's display method, or the model's attribute (the reference).
        columns = [(name, getattr(admin, name, None)) for name in self.list_display]
        rows = []
        for index, obj in enumerate(object_list):
            if not self.permission_helper.user_can_inspect_obj(user, obj):
                continue
            inspect = buttons.inspect_button(obj.pk)
            actions = [inspect]
            if self.permission_helper.user_can_delete_obj(user, obj):
                actions.append(buttons.delete_button(obj.pk))
            cells = []
            for name, display in columns:
                value = display(obj) if display is not None else getattr(obj, name)
                if name == admin.list_display_add_buttons:
                    action_list = format_html_join(
                        "",
                        '<li><a href="{}" class="{}" title="{}">{}</a></li>',
                        ((a["url"], a["classname"], a["title"], a["label"]) for a in actions),
                    )
                    cells.append(
                        format_html(
                            '<td class="field-{} title"><div class="title-wrapper"><a href="{}" title="{}">{}</a>'
                            '</div><ul class="actions">{}</ul></td>',
                            name,
                            inspect["url"],
                            inspect["title"],
                            value or "\xa0",
                            action_list,
                        )
                    )
                else:
                    cells.append(format_html('<td class="field-{} title">{}</td>', name, value or "\xa0"))
            rows.append(
                format_html(
                    '<tr data-object-pk="{}" class="{}">{}</tr>',
                    obj.pk,
                    "odd" if index % 2 == 0 else "even",
                    mark_safe("".join(cells)),  # noqa: S308 - each cell is built by format_html above
                )
            )
        return rows

    def _url_without(self, *parameters):
        query = self.request.GET.copy()
        for name in (*parameters, self.PAGE_VAR, self.EXPORT_VAR):
            query.pop(name, None)
        return f"{self.request.path}?{query.urlencode()}"

    def active_filters(self):
        """The filters the person chose, each a dict of ``title``, ``value`` (as shown) and
        ``remove_url`` (this list without it): shown above the list, so a search from the
        dashboard's "New" never silently misses other statuses."""
        found = []
        for spec in self.filter_specs:
            if hasattr(spec, "lookup_choices"):  # Django's SimpleListFilter
                value = dict(spec.lookup_choices).get(spec.value())
            else:  # the date range (ReceivedDateRangeFilter)
                value = spec.chosen_display()
            if not value:
                continue
            found.append(
                {
                    "title": spec.title,
                    "value": value,
                    "remove_url": self._url_without(*spec.expected_parameters()),
                }
            )
        return found

    def search_everything_url(self):
        """This list's search (if any) over every request the user may read, no filter applied."""
        query = QueryDict(mutable=True)
        if self.query:
            query[self.SEARCH_VAR] = self.query
        return f"{self.request.path}?{query.urlencode()}"

    @property
    def xlsx_with_notes_url(self):
        return self.get_export_url("xlsx") + "&notes=include"

    @property
    def csv_with_notes_url(self):
        return self.get_export_url("csv") + "&notes=include"

    def is_narrowed(self):
        """Whether a search or a filter the person chose is in force (the spam default is not one)."""
        chosen = {key for spec in self.filter_specs for key in spec.expected_parameters()}
        return bool(self.query) or any(self.params.get(key) for key in chosen)

    def get_context_data(self, **kwargs):
        """modeladmin's list context, with each count asked once.

        modeladmin's own builds the filtered queryset a second time (its filter choices
        read again) and counts it three times (its total, the filtered count, the
        paginator's). Here the queryset ``dispatch`` built is counted once, by the
        paginator, and the total only when a search or filter narrows the list.
        """
        paginator = self.paginator_class(self.queryset, self.items_per_page)
        try:
            page_obj = paginator.page(self.page_num)
        except InvalidPage:
            page_obj = paginator.page(1)
        result_count = paginator.count
        context = {
            "all_count": self.get_base_queryset().count() if self.is_narrowed() else result_count,
            "result_count": result_count,
            "paginator": paginator,
            "page_obj": page_obj,
            "elided_page_range": paginator.get_elided_page_range(self.page_num),
            "object_list": page_obj.object_list,
            "inbox_rows": self.result_rows(page_obj.object_list),
            "user_can_create": False,
            "show_search": self.search_handler.show_search_form,
            **kwargs,
        }
        # IndexView.get_context_data is the one replaced: its base (WMABaseView) adds view and model_admin.
        return super(IndexView, self).get_context_data(**context)

    def _filters(self):
        keys = ("form", "status", "spam", "received_from", "received_to", "notes", self.SEARCH_VAR)
        return {key: self.request.GET.get(key) for key in keys}

    def as_spreadsheet(self, queryset, spreadsheet_format):
        """The filtered inbox as a streamed CSV or an XLSX workbook (replaces Wagtail's loader).

        Refused while a filter is in error (a date out of range): the export would hold
        more than the person asked for. They are sent back to the inbox, which shows why.
        """
        user = self.request.user
        filter_errors = [str(e) for spec in self.filter_specs for e in getattr(spec, "errors", {}).values()]
        if filter_errors:
            messages.error(self.request, " ".join(filter_errors))
            return redirect(self.index_url + "?" + without_export(self.request.GET))
        too_many = export.xlsx_too_large(queryset) if spreadsheet_format == "xlsx" else None
        if too_many:
            messages.error(self.request, export.xlsx_too_large_message(too_many))
            return redirect(self.index_url + "?" + without_export(self.request.GET))
        # Staff notes only on explicit request (?notes=include).
        with_notes = self.request.GET.get("notes") == "include"
        columns = export.export_columns(export.pages_for(queryset), with_notes=with_notes)
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
        """One dict per answer in form order: ``label``, ``value`` (phones formatted for people)
        and ``href`` (``tel:`` for phones, ``mailto:`` for emails, else empty)."""
        form_fields = list(self.instance.page.specific.get_form_fields())
        types = {field.clean_name: field.field_type for field in form_fields}
        answers = []
        for name, label, value in self.instance.answers(form_fields=form_fields):
            href = ""
            if value and types.get(name) == "phone":
                value, href = display_phone(value), tel_uri(value)
            elif value and types.get(name) == "email":
                href = "mailto:" + value
            answers.append({"label": label, "value": value, "href": href})
        return answers

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        delete_url = ""
        if self.permission_helper.user_can_delete_obj(self.request.user, self.instance):
            delete_url = self.url_helper.get_action_url("delete", self.pk_quoted)
        context.update(
            {
                "submission": self.instance,
                "answers": self.get_answers(),
                "history": self.instance.status_changes.select_related("user"),
                "notes": self.instance.notes.select_related("user"),
                "status_choices": AppointmentSubmission.Status.choices,
                "status_url": self.url_helper.get_action_url("status", self.pk_quoted),
                "note_url": self.url_helper.get_action_url("note", self.pk_quoted),
                "note_max_length": NOTE_MAX_LENGTH,
                "delete_url": delete_url,
                "time_zone": timezone.get_current_timezone_name(),
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


def _submission_for_staff(request, instance_pk):
    """The request ``instance_pk`` if this staff user may read it: 403 without the permission,
    404 for a request they may not see (revealing nothing)."""
    if not user_can_view_requests(request.user):
        raise PermissionDenied
    submission = get_submission_for_user(request.user, instance_pk)
    if submission is None:
        raise Http404("No such appointment request.")
    return submission


def status_view_for(model_admin):
    """The inbox's "change status" POST endpoint, bound to its ModelAdmin for URLs and permissions."""

    @require_admin_access
    @require_POST
    def view(request, instance_pk):
        submission = _submission_for_staff(request, instance_pk)
        new_value = request.POST.get("status", "")
        detail_url = model_admin.url_helper.get_action_url("inspect", submission.pk)
        if new_value not in STATUS_ACTIONS:
            messages.error(request, "Choose one of the listed statuses.")
            return redirect(detail_url)
        change = submission.set_status(new_value, request.user)
        if change is None:
            messages.info(request, f"{submission.reference} already had that status.")
        elif new_value in (MARK_SPAM, MARK_NOT_SPAM):
            label = "suspected spam" if new_value == MARK_SPAM else "not spam"
            messages.success(request, f"{submission.reference} marked as {label}.")
        else:
            messages.success(
                request,
                f"{submission.reference}: status changed from {change.get_old_value_display()} "
                f"to {change.get_new_value_display()}.",
            )
        next_url = request.POST.get("next", "")
        if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            return redirect(next_url)
        return redirect(detail_url)

    return view


def note_view_for(model_admin):
    """The request page's "add a note" POST endpoint, bound to its ModelAdmin for URLs."""

    @require_admin_access
    @require_POST
    def view(request, instance_pk):
        submission = _submission_for_staff(request, instance_pk)
        detail_url = model_admin.url_helper.get_action_url("inspect", submission.pk)
        try:
            submission.add_note(request.user, request.POST.get("note", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Note added to {submission.reference}.")
        return redirect(detail_url)

    return view


__all__ = [
    "AppointmentDeleteSubmissionsView",
    "AppointmentSubmissionsListView",
    "InboxDeleteView",
    "InboxIndexView",
    "InboxInspectView",
    "note_view_for",
    "status_view_for",
]
