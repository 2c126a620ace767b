"""Admin for clinical review: the Clinicians snippet, the "Clinical review" report, the dashboard panel."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from treatment_pages.models import Clinician, TreatmentPage
from treatment_pages.review import seal
from treatment_pages.review import service as review
from treatment_pages.review import views as review_views
from treatment_pages.spreadsheet import SafeSpreadsheetExportMixin


class ClinicianViewSet(SnippetViewSet):
    """Clinicians who write and review articles; drafts and revisions like other content."""

    model = Clinician
    icon = "user"
    menu_label = _("Clinicians")
    list_display = ["name", "credentials", "role", "specialty", "user"]
    search_fields = ["name", "specialty"]


register_snippet(ClinicianViewSet)


def editable_articles(user):
    """Treatment articles ``user`` may edit (the report and dashboard list no others)."""
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return TreatmentPage.objects.filter(pk__in=pages.values("pk"))


QUEUE = "queue"


class CalendarDateColumn(Column):
    """A calendar date shown as one ("3 Mar 2027"): Wagtail's DateColumn shows timestamps as
    relative time, which turns a future due date into "Just now" (issue 27 item 3)."""

    cell_template_name = "treatment_pages/admin/tables/calendar_date_cell.html"


class ReviewReportFilterSet(WagtailFilterSet):
    """Filters for the clinical review report: review status, reviewer, due date range."""

    status = django_filters.ChoiceFilter(
        label=_("Review status"),
        choices=[(QUEUE, _("Needs review (any reason)")), *review.STATUS_CHOICES],
        method="filter_status",
        empty_label=_("All articles"),
    )
    medical_reviewer = django_filters.ModelChoiceFilter(
        label=_("Reviewer"), queryset=Clinician.objects.all(), empty_label=_("Any reviewer")
    )
    next_review_due = django_filters.DateFromToRangeFilter(
        label=_("Next review due between"), widget=DateRangePickerWidget
    )

    class Meta:
        model = TreatmentPage
        fields = ["status", "medical_reviewer", "next_review_due"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(review.queue_q() if value == QUEUE else review.status_q(value))


class ClinicalReviewReportView(SafeSpreadsheetExportMixin, ReportView):
    """Reports › Clinical review: articles by next review due, with why each needs review.

    Its CSV/XLSX export goes through the plugin's spreadsheet-safe writer (article titles
    and reviewer names are typed by editors).
    """

    page_title = _("Clinical review")
    header_icon = "date"
    index_url_name = "treatment_pages_review_report"
    index_results_url_name = "treatment_pages_review_report_results"
    filterset_class = ReviewReportFilterSet
    export_filename = "clinical-review"
    list_export = ["title", "reviewer_name", "last_reviewed", "next_review_due", "reasons_text", "admin_url"]
    export_headings = {
        "title": _("Article"),
        "reviewer_name": _("Medical reviewer"),
        "last_reviewed": _("Last reviewed"),
        "next_review_due": _("Next review due"),
        "reasons_text": _("Needs review because"),
        "admin_url": _("Edit link"),
    }
    columns = [
        TitleColumn("title", label=_("Article"), url_name="wagtailadmin_pages:edit"),
        Column("reviewer_name", label=_("Medical reviewer")),
        CalendarDateColumn("last_reviewed", label=_("Last reviewed")),
        CalendarDateColumn("next_review_due", label=_("Next review due")),
        Column("reasons_text", label=_("Needs review because")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not user_sees_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return review.articles(editable_articles(self.request.user)).order_by(
            F("next_review_due").asc(nulls_last=True), "title"
        )

    def decorate_paginated_queryset(self, object_list):
        pages = review.attach_reasons(object_list)
        for page in pages:
            page.reviewer_name = page.medical_reviewer.display_name if page.medical_reviewer else ""
            page.reasons_text = "; ".join(str(reason.text) for reason in page.review_reasons)
            page.admin_url = review.admin_url(page)
        return pages


def user_sees_review(user):
    return user.is_active and (user.is_superuser or editable_articles(user).exists())


@hooks.register("register_admin_urls")
def register_review_report_urls():
    return [
        path(
            "reports/clinical-review/",
            ClinicalReviewReportView.as_view(),
            name="treatment_pages_review_report",
        ),
        path(
            "reports/clinical-review/results/",
            ClinicalReviewReportView.as_view(results_only=True),
            name="treatment_pages_review_report_results",
        ),
        path(
            "treatment-pages/readability/<int:page_id>/",
            review_views.readability_for_edit_form,
            name="treatment_pages_readability_edit",
        ),
        path(
            "treatment-pages/readability/new/<str:page_type>/<int:parent_page_id>/",
            review_views.readability_for_create_form,
            name="treatment_pages_readability_create",
        ),
    ]


class ReviewReportMenuItem(MenuItem):
    def is_shown(self, request):
        return user_sees_review(request.user)


@hooks.register("register_reports_menu_item")
def register_review_report_menu_item():
    return ReviewReportMenuItem(
        _("Clinical review"), reverse("treatment_pages_review_report"), icon_name="date", order=960
    )


class ReviewDashboardPanel(Component):
    """Dashboard: the articles overdue for review and those due this month."""

    name = "clinical_review"
    order = 150
    template_name = "treatment_pages/admin/review_dashboard_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        pages = review.articles(editable_articles(self.user)).live()
        overdue = review.attach_reasons(
            pages.filter(review.status_q(review.OVERDUE)).order_by("next_review_due")
        )
        due = review.attach_reasons(
            pages.filter(review.status_q(review.DUE_THIS_MONTH)).order_by("next_review_due")
        )
        low = review.attach_reasons(pages.filter(review.status_q(review.LOW_RATING)).order_by("title"))
        changed = pages.filter(review.status_q(review.CHANGED_SINCE_REVIEW)).order_by("title")
        return {
            "overdue": overdue,
            "due_this_month": due,
            "low_rating": low,
            "changed_since_review": changed,
            "report_url": reverse("treatment_pages_review_report"),
        }


@hooks.register("construct_homepage_panels")
def add_review_dashboard_panel(request, panels):
    if user_sees_review(request.user):
        panels.append(ReviewDashboardPanel(request.user))


@hooks.register("register_log_actions")
def register_review_seal_log_actions(actions):
    """The seal's entries in Wagtail's page history (who marked a change non-clinical, and when)."""
    for action, label in seal.LOG_ACTIONS:
        actions.register_action(action, label, label)
