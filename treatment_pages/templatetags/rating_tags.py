from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.urls import reverse

from treatment_pages.models.ratings import MAX_SCORE, SCORE_CHOICES
from treatment_pages.ratings import get_own_score, get_rating_summary
from treatment_pages.voters import get_voter_identifier, has_voter_cookie, voter_key_for

register = template.Library()


@register.inclusion_tag("treatment_pages/includes/rating_widget.html", takes_context=True)
def rating_widget(context, page):
    """The article's rating widget: public summary, and the reader's own score if they voted.

    The own score is only looked up when the request carries a voter cookie, and
    ``TreatmentPage.serve`` marks such responses private, so a shared page cache only
    ever stores the version without personal state (the script fills that in).
    """
    request = context.get("request")
    personal = bool(request and has_voter_cookie(request))
    own_score = None
    if personal:
        identifier = get_voter_identifier(request)
        own_score = get_own_score(page, voter_key_for(identifier)) if identifier else None
    return {
        "page": page,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "summary": getattr(page, "rating_summary", None) or get_rating_summary(page),
        "own_score": own_score,
        "personal": personal,
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
