from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse

from treatment_pages.models.ratings import MAX_SCORE, SCORE_CHOICES
from treatment_pages.ratings.votes import get_rating_summary

register = template.Library()


@register.inclusion_tag("treatment_pages/includes/rating_widget.html", takes_context=True)
def rating_widget(context, page):
    """The article's rating widget: the public summary only, the same for every reader.

    Nothing personal is rendered (no own score, no CSRF token), so the page can be held
    by shared caches; the widget's script asks ``rating_state`` for the reader's own
    score after load, and the vote endpoint checks the request comes from this site.
    """
    return {
        "page": page,
        "request": context.get("request"),
        "summary": getattr(page, "rating_summary", None) or get_rating_summary(page),
        "scores": SCORE_CHOICES,
        "vote_url": reverse("treatment_pages:rating_vote", args=[page.pk]),
        "state_url": reverse("treatment_pages:rating_state", args=[page.pk]),
    }


@register.inclusion_tag("treatment_pages/includes/rating_summary.html")
def rating_summary(summary):
    """A page's public rating summary (``summary`` from ``get_rating_summary``).

    The stars are a picture for sighted readers (hidden from screen readers, which read
    the text): the average rounded half-up to whole stars.
    """
    filled = int(summary.average.quantize(Decimal(1), rounding=ROUND_HALF_UP)) if summary.count else 0
    return {"summary": summary, "stars": [index < filled for index in range(MAX_SCORE)]}
