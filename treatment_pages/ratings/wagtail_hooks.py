"""Admin screens for reader ratings: the ratings snippet listing and the "Ratings" report."""

import django_filters
from django import forms
from django.contrib.admin.utils import lookup_field
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DecimalField, ExpressionWrapper, Q
from django.db.models.functions import Cast, NullIf
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets import AdminDateInput
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.menus import ModelAdminMenuItem
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView as ModelAdminIndexView

from treatment_pages.models import Rating, RatingSummary
from treatment_pages.models.ratings import SCORE_CHOICES
from treatment_pages.spreadsheet import SafeSpreadsheetExportMixin

# Readers create ratings and nobody edits them (an edited score would bypass the
# summary); editors may only look at them and delete abusive ones.
READ_ONLY_ACTIONS = {"add", "change"}


class RatingPermissionPolicy(ModelPermissionPolicy):
    """Model permissions for ratings, except that no one may add or change one in the admin."""

    def user_has_permission(self, user, action):
        if action in READ_ONLY_ACTIONS:
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(set(actions) - READ_ONLY_ACTIONS)


# Registered before the snippet viewset so it replaces Wagtail's default policy.
register_permission_policy(Rating, RatingPermissionPolicy(Rating))


def _rated_pages(request):
    return Page.objects.filter(pk__in=Rating.objects.values("page_id")).order_by("title")


ISO_DATE = "%Y-%m-%d"


class LabelledDateRangeWidget(DateRangePickerWidget):
    """Wagtail's date range picker with each input named and its format stated, not placeholders only."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets = [
            AdminDateInput(
                attrs={"aria-label": _("Rated from (YYYY-MM-DD)"), "placeholder": "YYYY-MM-DD"},
                format=ISO_DATE,
            ),
            AdminDateInput(
                attrs={"aria-label": _("Rated until (YYYY-MM-DD)"), "placeholder": "YYYY-MM-DD"},
                format=ISO_DATE,
            ),
        ]


class CheckboxGroup(forms.CheckboxSelectMultiple):
    """Checkboxes grouped in a fieldset with a legend, so a screen reader names the group."""

    template_name = "treatment_pages/admin/checkbox_group.html"

    def __init__(self, *args, legend, **kwargs):
        super().__init__(*args, **kwargs)
        self.legend = legend

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["legend"] = self.legend
        return context


class RatingFilterSet(WagtailFilterSet):
    """Filters for the ratings listing: page, score and the date the rating was given."""

    page = django_filters.ModelChoiceFilter(queryset=_rated_pages, label="Page", empty_label="All pages")
    score = django_filters.MultipleChoiceFilter(
        choices=SCORE_CHOICES, label="Score", widget=CheckboxGroup(legend="Score")
    )
    created = django_filters.DateFromToRangeFilter(
        label=_("Rated between"),
        help_text=_("Dates as YYYY-MM-DD, e.g. 2026-03-14; either may be left empty."),
        widget=LabelledDateRangeWidget,
    )

    class Meta:
        model = Rating
        fields = ["page", "score", "created"]


class RatingIndexView(SafeSpreadsheetExportMixin, SnippetIndexView):
    """The ratings listing; its CSV/XLSX export goes through the plugin's spreadsheet-safe writer.

    The exported "Page" column is a title an editor chose: it must never run as a formula.
    """


class RatingViewSet(SnippetViewSet):
    """Reader ratings as a snippet listing: editors filter them and delete abusive ones.

    The voter key is never listed, searchable, exported or shown on any screen.
    """

    model = Rating
    icon = "pick"
    menu_label = "Ratings"
    # Listed in the one top-level "Ratings" menu (below), not again under Snippets.
    menu_item_is_registered = True
    list_display = [
        # The first column carries each row's actions (Delete).
        "page_title",
        Column("score", label="Score", accessor="get_score_display", sort_key="score"),
        DateColumn("created", label="Rated on", sort_key="created"),
    ]
    list_export = ["page", "score", "created", "updated"]
    export_headings = {"page": "Page", "score": "Score", "created": "Rated on", "updated": "Last changed"}
    export_filename = "ratings"
    index_view_class = RatingIndexView
    filterset_class = RatingFilterSet
    search_fields = ["page__title"]
    search_backend_name = None
    ordering = ["-created"]
    copy_view_enabled = False
    inspect_view_enabled = False
    # A rating is not content that links to pages; indexing it would add two queries and
    # a reference-index row to every vote.
    add_to_reference_index = False
    list_per_page = 50

    def get_queryset(self, request):
        return Rating.objects.select_related("page")

    def get_permissions_to_register(self):
        # Only the permissions the policy honours appear in the group editor.
        return Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Rating),
            codename__in=["view_rating", "delete_rating"],
        )


register_snippet(RatingViewSet)


class RatingsReportPermissionHelper(PermissionHelper):
    """The report is read-only and open to whoever may see ratings (view or delete them)."""

    def user_can_list(self, user):
        return user.has_perm("treatment_pages.view_rating") or user.has_perm("treatment_pages.delete_rating")

    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False

    def user_can_inspect_obj(self, user, obj):
        return False


def _average_expression():
    # total / count as a decimal; NULL (listed last) for a page whose ratings were all deleted.
    return ExpressionWrapper(
        Cast("total", DecimalField(max_digits=12, decimal_places=4))
        / NullIf(Cast("count", DecimalField(max_digits=12, decimal_places=4)), 0),
        output_field=DecimalField(max_digits=12, decimal_places=4),
    )


REPORT_COLUMNS = {
    "page_title": "Page",
    "average_score": "Average",
    "count": "Ratings",
    "ones": "1 star",
    "twos": "2 stars",
    "threes": "3 stars",
    "fours": "4 stars",
    "fives": "5 stars",
}


class RatingsReportIndexView(SafeSpreadsheetExportMixin, ModelAdminIndexView):
    """The report listing; exports keep headings as on screen and zero counts as 0.

    (modeladmin would title-case "1 Star" and export a count of 0 as "-".) The export is
    written by the plugin's spreadsheet-safe writer: page titles never run as formulas.
    """

    export_headings = REPORT_COLUMNS
    page_title = "Ratings report"

    def to_row_dict(self, item):
        row = {field: lookup_field(field, item, self.model_admin)[2] for field in self.list_export}
        if "average_score" in row:
            # The Decimal the screen shows as text: a number cell in the XLSX, "4.5" in the CSV.
            row["average_score"] = item.average
        return row


def _report_column(label, order_field):
    """Heading and sort field of a report column computed by a ModelAdmin method."""

    def decorate(method):
        method.short_description = label
        method.admin_order_field = order_field
        return method

    return decorate


class RatingsReportAdmin(ModelAdmin):
    """Reports › Ratings: every rated page with its average, count and 1-5 distribution."""

    model = RatingSummary
    menu_label = "Ratings"
    menu_icon = "pick"
    add_to_admin_menu = False  # listed under Reports instead (see the hook below)
    permission_helper_class = RatingsReportPermissionHelper
    index_view_class = RatingsReportIndexView
    list_display = ["page_links", *list(REPORT_COLUMNS)[1:]]
    list_export = list(REPORT_COLUMNS)
    export_filename = "ratings-report"
    search_fields = ["page__title"]
    list_per_page = 50
    ordering = ["-count"]

    def get_queryset(self, request):
        distribution = {
            name: Count("page__ratings", filter=Q(page__ratings__score=score))
            for score, name in enumerate(("ones", "twos", "threes", "fours", "fives"), start=1)
        }
        return (
            super()
            .get_queryset(request)
            .filter(count__gt=0)
            .select_related("page")
            .annotate(average_value=_average_expression(), **distribution)
        )

    def get_permissions_for_registration(self):
        # Access follows the ratings' own permissions; the summary has none of its own.
        return Permission.objects.none()

    @_report_column(REPORT_COLUMNS["page_title"], "page__title")
    def page_title(self, obj):
        """The page's title (exports)."""
        return obj.page.title

    @_report_column(REPORT_COLUMNS["page_title"], "page__title")
    def page_links(self, obj):
        """The page's title linking to its votes, and a link to its edit screen (the report's screen)."""
        votes = reverse(Rating.snippet_viewset.get_url_name("list")) + "?" + urlencode({"page": obj.page_id})
        return format_html(
            '<a href="{}">{}</a> <a class="w-text-sm" href="{}">{}<span class="w-sr-only"> “{}”</span></a>',
            votes,
            obj.page.title,
            reverse("wagtailadmin_pages:edit", args=[obj.page_id]),
            _("Edit page"),
            obj.page.title,
        )

    @_report_column("Average", "average_value")
    def average_score(self, obj):
        return f"{obj.average}"

    @_report_column("1 star", "ones")
    def ones(self, obj):
        return obj.ones

    @_report_column("2 stars", "twos")
    def twos(self, obj):
        return obj.twos

    @_report_column("3 stars", "threes")
    def threes(self, obj):
        return obj.threes

    @_report_column("4 stars", "fours")
    def fours(self, obj):
        return obj.fours

    @_report_column("5 stars", "fives")
    def fives(self, obj):
        return obj.fives


ratings_report = RatingsReportAdmin()
ratings_report.register_with_wagtail()


class RatingsListMenuItem(MenuItem):
    """ "All ratings", shown only to those who may open the listing (view or delete ratings)."""

    def is_shown(self, request):
        return Rating.snippet_viewset.permission_policy.user_has_any_permission(
            request.user, {"view", "delete"}
        )


@hooks.register("register_admin_menu_item")
def register_ratings_menu():
    """One "Ratings" entry: every vote (filter, delete) and the per-page report.

    A submenu is shown only when one of its items is, and each item follows the ratings'
    permissions, so editors who may not see ratings have no "Ratings" entry at all.
    """
    return SubmenuMenuItem(
        _("Ratings"),
        Menu(
            items=[
                RatingsListMenuItem(
                    _("All ratings"), reverse(Rating.snippet_viewset.get_url_name("list")), icon_name="pick"
                ),
                ModelAdminMenuItem(ratings_report, order=200),
            ]
        ),
        name="ratings",
        icon_name="pick",
        order=900,
    )
