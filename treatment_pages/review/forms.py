"""Forms of the clinical review: the approval modal and the article's edit form.

The edit form stops publishing while a citation ``[n]`` has no reference n. A draft still
saves (Wagtail defers validation for "Save draft"), so an editor can write the sentence
before adding its source; publishing, and submitting for review, show the error at the
block (or the intro) that carries the marker.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamBlockValidationError
from wagtail.forms import TaskStateCommentForm

from treatment_pages.review.citations import unmatched_markers
from treatment_pages.review.readability import block_chunks
from treatment_pages.review.seal import REFERENCE_FIELDS, content_fingerprint

CHANGE_NOTE_MAX_LENGTH = 200
REFERENCES_FORMSET = "references"


class ClinicalApprovalForm(TaskStateCommentForm):
    """The "Approve clinically" modal: a public change note beside the workflow's private comment."""

    change_note = forms.CharField(
        label=_("Public change note"),
        max_length=CHANGE_NOTE_MAX_LENGTH,
        required=False,
        help_text=_(
            "Shown to readers in the article's page history, e.g. “Reviewed; advice on sun exposure updated”."
        ),
    )
    field_order = ["change_note", "comment"]
    # The modal opens over the article's edit form, which has a change_note field of its own:
    # a prefix keeps their ids (and so their labels) apart. on_action gets unprefixed names.
    prefix = "approval"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = _("Comment for the editors (not shown to readers)")


def reference_count(form):
    """How many references the form's data keeps (those not marked for deletion), valid or not."""
    formset = form.formsets.get(REFERENCES_FORMSET) if hasattr(form, "formsets") else None
    if formset is None:
        return 0
    kept = 0
    for reference_form in formset.forms:
        delete = reference_form.fields.get("DELETE")
        if delete is None or not delete.to_python(reference_form["DELETE"].value()):
            kept += 1
    return kept


def unmatched_citation_error(numbers, count):
    markers = ", ".join(f"[{number}]" for number in numbers)
    return ValidationError(
        ngettext(
            "%(markers)s matches no reference (this article has %(count)d): add the reference "
            "under References or correct the number.",
            "%(markers)s match no reference (this article has %(count)d): add the references "
            "under References or correct the numbers.",
            len(numbers),
        )
        % {"markers": markers, "count": count},
        code="unmatched_citation",
    )


class TreatmentPageForm(WagtailAdminPageForm):
    """The article's edit form.

    The change note starts empty once its publish has happened: ``change_note`` and
    ``change_is_non_clinical`` travel with the draft's revisions (so a workflow or a scheduled
    publish carries them); after the publish they belong to history. Publishing checks that
    every citation number matches a reference, and that a change to what a clinician would
    sign (title, intro, body, references) of a live article says what changed for readers,
    unless the editor marks it not clinical.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        if page.pk and page.live and not page.has_unpublished_changes and not self.is_bound:
            self.initial["change_note"] = ""
            self.initial["change_is_non_clinical"] = False

    def clean(self):
        cleaned_data = super().clean()
        if self.is_deferred_validation:
            return cleaned_data  # saving a draft
        count = reference_count(self)
        intro = cleaned_data.get("intro")
        if intro:
            numbers = unmatched_markers([intro], count)
            if numbers:
                self.add_error("intro", unmatched_citation_error(numbers, count))
        body = cleaned_data.get("body")
        if body is not None and "body" not in self.errors:
            block_errors = {}
            for index, child in enumerate(body):
                numbers = unmatched_markers(block_chunks(child.block, child.value), count)
                if numbers:
                    block_errors[index] = unmatched_citation_error(numbers, count)
            if block_errors:
                # Each error sits at the block whose text carries the marker.
                self.add_error("body", StreamBlockValidationError(block_errors=block_errors))
        if self.publishes_a_clinical_change_without_a_note(cleaned_data):
            self.add_error(
                "change_note",
                _(
                    "This publish changes the article's clinical content: say in a sentence what changed "
                    "for readers (it is shown in the page history), or tick “This change is not clinical” "
                    "for a typo or formatting."
                ),
            )
        return cleaned_data

    def publishes_a_clinical_change_without_a_note(self, cleaned_data):
        """Whether this is a publish of changed clinical content of a live article, with no note.

        Submitting for review needs none: the reviewer writes the note at sign-off.
        """
        page = self.instance
        if "action-publish" not in self.data or not page.pk or not page.live:
            return False
        if cleaned_data.get("change_note", "").strip() or cleaned_data.get("change_is_non_clinical"):
            return False
        references = self.formsets.get(REFERENCES_FORMSET)
        if self.errors or references is None or not references.is_valid():
            return False  # the editor has other errors to fix first
        proposed = type(page)(
            title=cleaned_data.get("title"), intro=cleaned_data.get("intro"), body=cleaned_data.get("body")
        )
        proposed_references = [
            references.model(**{name: form.cleaned_data.get(name) for name in REFERENCE_FIELDS})
            for form in references.ordered_forms
        ]
        live = type(page).objects.get(pk=page.pk)
        return content_fingerprint(proposed, proposed_references) != content_fingerprint(live)
