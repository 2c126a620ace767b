"""The treatment article's edit form: a citation ``[n]`` without reference n stops publishing.

A draft still saves (Wagtail defers validation for "Save draft"), so an editor can write the
sentence before adding its source; publishing, and submitting for review, show the error at the
block (or the intro) that carries the marker.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.blocks import StreamBlockValidationError

from treatment_pages.review.citations import unmatched_markers
from treatment_pages.review.readability import block_chunks

REFERENCES_FORMSET = "references"


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
    """Checks, when publishing, that every citation number matches a reference."""

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
        return cleaned_data
