"""The "Was this page helpful?" form, shared by the article's form post and its error page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from treatment_pages.models.feedback import COMMENT_MAX_LENGTH, REASON_CHOICES

YES, NO = "yes", "no"


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(
        label=_("Was this page helpful?"),
        choices=[(YES, _("Yes")), (NO, _("No"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no."), "invalid_choice": _("Choose yes or no.")},
    )
    reason = forms.ChoiceField(
        label=_("If not, what was wrong?"),
        choices=REASON_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Choose one of the reasons listed.")},
    )
    comment = forms.CharField(
        label=_("Tell us more (optional)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep the comment to %(limit_value)d characters or fewer.")},
    )

    def answer(self):
        """The cleaned answer as ``submit_feedback`` takes it."""
        helpful = self.cleaned_data["helpful"] == YES
        return {
            "helpful": helpful,
            "reason": "" if helpful else self.cleaned_data["reason"],
            "comment": "" if helpful else self.cleaned_data["comment"],
        }
