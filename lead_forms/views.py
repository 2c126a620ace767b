"""Admin views for appointment requests."""

from django import forms
from django_filters import CharFilter, ChoiceFilter
from wagtail.contrib.forms.views import SubmissionsListFilterSet, SubmissionsListView

SPAM_INCLUDE = "include"
SPAM_ONLY = "only"


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
    """Wagtail's per-form submissions list (and export) with suspected spam hidden by default."""

    filterset_class = AppointmentSubmissionsFilterSet

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        choice = self.request.GET.get("spam")
        if choice == SPAM_ONLY:
            return queryset.filter(is_spam=True)
        if choice == SPAM_INCLUDE:
            return queryset
        return queryset.filter(is_spam=False)
