"""Admin for "Was this page helpful?": Reports › Reader feedback (per article and reason) and its comments.

Both export CSV/XLSX through the plugin's spreadsheet-safe writer (comments are typed by the
public). Shown to the people who see the clinical review report: editors of articles.
"""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView

from treatment_pages.models import PageFeedback, TreatmentPage
from treatment_pages.models.feedback import (
    HARD_TO_UNDERSTAND,
    MISSING_INFORMATION,
    OUT_OF_DATE,
    REASON_CHOICES,
    SOMETHING_ELSE,
)
from treatment_pages.review.wagtail_hooks import CalendarDateColumn, editable_articles, user_sees_review
from treatment_pages.spreadsheet import SafeSpreadsheetExportMixin

REASON_COLUMNS = {code: f"reason_{code}" for code, _label in REASON_CHOICES}
# Short headings for the table (the readers' wording is long for a column).
REASON_HEADINGS = {
    HARD_TO_UNDERSTAND: _("Hard to understand"),
    OUT_OF_DATE: _("Out of date"),
    MISSING_INFORMATION: _("Missing information"),
    SOMETHING_ELSE: _("Something else"),
}


class ReviewersOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not user_sees_review(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FeedbackReportView(ReviewersOnlyMixin, SafeSpreadsheetExportMixin, ReportView):
    """Reports › Reader feedback: per article, how many said yes, no, and each reason for no."""

    page_title = _("Reader feedback")
    header_icon = "help"
    index_url_name = "treatment_pages_feedback_report"
    index_results_url_name = "treatment_pages_feedback_report_results"
    export_filename = "reader-feedback"
    list_export = ["title", "helpful_yes", "helpful_no", *REASON_COLUMNS.values()]
    export_headings = {
        "title": _("Article"),
        "helpful_yes": _("Helpful: yes"),
        "helpful_no": _("Helpful: no"),
        **{
            column: label
            for (code, label), column in zip(REASON_CHOICES, REASON_COLUMNS.values(), strict=True)
        },
    }
    columns = [
        TitleColumn("title", label=_("Article"), url_name="wagtailadmin_pages:edit"),
        Column("helpful_yes", label=_("Helpful: yes")),
        Column("helpful_no", label=_("Helpful: no")),
        *[Column(REASON_COLUMNS[code], label=label) for code, label in REASON_CHOICES],
    ]

    def get_queryset(self):
        counts = {
            "helpful_yes": Count("feedback", filter=Q(feedback__helpful=True)),
            "helpful_no": Count("feedback", filter=Q(feedback__helpful=False)),
            **{
                column: Count("feedback", filter=Q(feedback__reason=code))
                for code, column in REASON_COLUMNS.items()
            },
        }
        return (
            editable_articles(self.request.user)
            .annotate(**counts)
            .filter(Q(helpful_yes__gt=0) | Q(helpful_no__gt=0))
            .order_by("-helpful_no", "title")
        )


class FeedbackCommentFilterSet(WagtailFilterSet):
    reason = django_filters.ChoiceFilter(
        label=_("Reason"), choices=REASON_CHOICES, empty_label=_("Any reason")
    )
    page = django_filters.ModelChoiceFilter(
        label=_("Article"), queryset=TreatmentPage.objects.order_by("title"), empty_label=_("Any article")
    )

    class Meta:
        model = PageFeedback
        fields = ["reason", "page"]


class FeedbackAnswersView(ReviewersOnlyMixin, SafeSpreadsheetExportMixin, ReportView):
    """Reports › Reader feedback answers: each "No" with its reason and (scrubbed) comment."""

    page_title = _("Reader feedback answers")
    header_icon = "help"
    index_url_name = "treatment_pages_feedback_answers"
    index_results_url_name = "treatment_pages_feedback_answers_results"
    filterset_class = FeedbackCommentFilterSet
    export_filename = "reader-feedback-answers"
    list_export = ["page_title", "updated", "reason_label", "comment"]
    export_headings = {
        "page_title": _("Article"),
        "updated": _("Answered on"),
        "reason_label": _("Reason"),
        "comment": _("Comment"),
    }
    columns = [
        Column("page_title", label=_("Article")),
        CalendarDateColumn("updated", label=_("Answered on")),
        Column("reason_label", label=_("Reason")),
        Column("comment", label=_("Comment")),
    ]

    def get_queryset(self):
        return (
            PageFeedback.objects.filter(helpful=False, page__in=editable_articles(self.request.user))
            .select_related("page")
            .order_by("-updated", "-pk")
        )

    def decorate_paginated_queryset(self, object_list):
        for answer in object_list:
            answer.page_title = answer.page.title
            answer.reason_label = answer.get_reason_display()
        return object_list

    def to_row_dict(self, item):
        item.page_title = item.page.title
        item.reason_label = str(item.get_reason_display())
        return super().to_row_dict(item)


@hooks.register("register_admin_urls")
def register_feedback_report_urls():
    return [
        path(
            "reports/reader-feedback/", FeedbackReportView.as_view(), name="treatment_pages_feedback_report"
        ),
        path(
            "reports/reader-feedback/results/",
            FeedbackReportView.as_view(results_only=True),
            name="treatment_pages_feedback_report_results",
        ),
        path(
            "reports/reader-feedback/answers/",
            FeedbackAnswersView.as_view(),
            name="treatment_pages_feedback_answers",
        ),
        path(
            "reports/reader-feedback/answers/results/",
            FeedbackAnswersView.as_view(results_only=True),
            name="treatment_pages_feedback_answers_results",
        ),
    ]


class FeedbackMenuItem(MenuItem):
    def is_shown(self, request):
        return user_sees_review(request.user)


@hooks.register("register_reports_menu_item")
def register_feedback_report_menu_items():
    return FeedbackMenuItem(
        _("Reader feedback"), reverse("treatment_pages_feedback_report"), icon_name="help", order=970
    )


@hooks.register("register_reports_menu_item")
def register_feedback_answers_menu_item():
    return FeedbackMenuItem(
        _("Reader feedback answers"), reverse("treatment_pages_feedback_answers"), icon_name="help", order=971
    )
