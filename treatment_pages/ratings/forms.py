from django import forms

from treatment_pages.models.ratings import SCORE_CHOICES
from treatment_pages.ratings.votes import INVALID_SCORE_MESSAGE


class RatingForm(forms.Form):
    """A reader's vote as posted by the rating widget (with or without JavaScript)."""

    score = forms.TypedChoiceField(
        choices=SCORE_CHOICES,
        coerce=int,
        error_messages={"required": INVALID_SCORE_MESSAGE, "invalid_choice": INVALID_SCORE_MESSAGE},
    )
