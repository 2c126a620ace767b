"""Template tags of "Was this page helpful?"."""

from django import template

from treatment_pages.feedback.forms import FeedbackForm
from treatment_pages.models.feedback import COMMENT_MAX_LENGTH, REASON_CHOICES

register = template.Library()


@register.inclusion_tag("treatment_pages/includes/feedback_form.html")
def feedback_form(page, form=None):
    """The "Was this page helpful?" form for ``page``; ``form``: a bound form to show with its errors."""
    return {
        "page": page,
        "feedback_form": form,
        "helpful_choices": FeedbackForm.base_fields["helpful"].choices,
        "reason_choices": REASON_CHOICES,
        "comment_max_length": COMMENT_MAX_LENGTH,
    }
