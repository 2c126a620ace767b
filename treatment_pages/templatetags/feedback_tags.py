from django import template

from treatment_pages.feedback.forms import NO, YES
from treatment_pages.models.feedback import COMMENT_MAX_LENGTH, REASON_CHOICES

register = template.Library()


@register.inclusion_tag("treatment_pages/includes/feedback_form.html")
def feedback_form(page, form=None):
    """The "Was this page helpful?" form for ``page``; ``form``: a bound form to show with its errors."""
    from django.utils.translation import gettext_lazy as _

    return {
        "page": page,
        "feedback_form": form,
        "helpful_choices": [(YES, _("Yes")), (NO, _("No"))],
        "reason_choices": REASON_CHOICES,
        "comment_max_length": COMMENT_MAX_LENGTH,
    }
