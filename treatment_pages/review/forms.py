"""Forms of the clinical review: the approval modal and the article editor's change note."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.forms import TaskStateCommentForm

CHANGE_NOTE_MAX_LENGTH = 200


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


class TreatmentPageForm(WagtailAdminPageForm):
    """The article's edit form: the change note starts empty once its publish has happened.

    ``change_note`` and ``change_is_non_clinical`` travel with the draft's revisions (so a
    workflow or a scheduled publish carries them); after the publish they belong to history.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        page = self.instance
        if page.pk and page.live and not page.has_unpublished_changes and not self.is_bound:
            self.initial["change_note"] = ""
            self.initial["change_is_non_clinical"] = False
