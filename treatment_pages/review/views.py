"""Admin view behind the Readability panel's live score: the edit form's text as typed, unsaved."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST
from wagtail.models import Page, get_page_models

from treatment_pages.review.forms import reference_count
from treatment_pages.review.readability import readability_summary

SUMMARY_TEMPLATE = "treatment_pages/admin/readability_summary.html"


def _page_with_form_text(request, page, parent):
    """``page`` with the intro and body the edit form posted: read, never validated or saved."""
    form_class = type(page).get_edit_handler().get_form_class()
    form = form_class(request.POST, request.FILES, instance=page, parent_page=parent, for_user=request.user)
    if "intro" in form.fields:
        page.intro = form["intro"].value() or ""
    if "body" in form.fields:
        page.body = form["body"].value()
    return page, reference_count(form)


@require_POST
def readability_for_edit_form(request, page_id):
    """The panel's summary for an existing article's edit form (POSTed as it stands)."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    page, references = _page_with_form_text(request, page, page.get_parent())
    return TemplateResponse(request, SUMMARY_TEMPLATE, readability_summary(page, references))


@require_POST
def readability_for_create_form(request, page_type, parent_page_id):
    """The panel's summary for a new article's create form (``page_type``: "app_label.model")."""
    parent = get_object_or_404(Page, pk=parent_page_id)
    if not parent.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    page_class = next((model for model in get_page_models() if model._meta.label_lower == page_type), None)
    if page_class is None or page_class not in parent.specific_class.allowed_subpage_models():
        raise PermissionDenied
    page = page_class(locale=parent.locale)
    page, references = _page_with_form_text(request, page, parent)
    return TemplateResponse(request, SUMMARY_TEMPLATE, readability_summary(page, references))
