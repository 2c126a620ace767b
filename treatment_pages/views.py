import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from treatment_pages.conf import app_settings
from treatment_pages.feedback.forms import FeedbackForm
from treatment_pages.feedback.service import THANKS_MESSAGE, submit_feedback
from treatment_pages.models import TreatmentPage
from treatment_pages.models.ratings import SCORE_LABELS
from treatment_pages.ratings.forms import RatingForm
from treatment_pages.ratings.voters import (
    client_address,
    get_voter_identifier,
    new_voter_identifier,
    set_voter_cookie,
    voter_key_for,
)
from treatment_pages.ratings.votes import (
    NEW_VOTER_LIMIT_MESSAGE,
    VOTE_RATE_LIMITED_MESSAGE,
    TooManyNewVoters,
    cast_vote,
    count_vote_against_rate_limit,
    get_own_score,
    get_rating_summary,
    ratable_page,
)

logger = logging.getLogger(__name__)

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    """Full-text search over published treatment articles (Wagtail search backend)."""
    search_query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = TreatmentPage.objects.none()
    if search_query:
        results = TreatmentPage.objects.live().public().search(search_query)

    paginator = Paginator(results, RESULTS_PER_PAGE)
    try:
        search_results = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        search_results = paginator.page(1)
    except EmptyPage:
        search_results = paginator.page(paginator.num_pages)

    return TemplateResponse(
        request,
        "search.html",
        {"search_query": search_query, "search_results": search_results},
    )


# Reader ratings ---------------------------------------------------------------------------

RATING_ANCHOR = "rating"


def _wants_json(request):
    """The widget's script asks for JSON; a plain form post (no JavaScript) gets HTML."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _rating_error(request, page, status, message, **headers):
    if _wants_json(request):
        response = JsonResponse({"error": message}, status=status)
    else:
        response = TemplateResponse(
            request,
            "treatment_pages/rating_error.html",
            {
                "message": message,
                "rated_page": page,
                "anchor": RATING_ANCHOR,
                "base_template": app_settings.TREATMENT_PAGES_BASE_TEMPLATE,
            },
            status=status,
        )
    for name, value in headers.items():
        response[name] = value
    add_never_cache_headers(response)
    return response


CROSS_SITE_VOTE_MESSAGE = _(
    "Votes are only accepted from this site's own pages. Open the article on this site and rate it there."
)


def _origin_of(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else None


def is_same_site_request(request):
    """Whether a browser sent this POST from one of this site's own pages.

    Instead of a CSRF token (which would make every article page personal, and so
    uncacheable by a shared cache), the vote trusts what browsers say about where a
    request comes from: ``Sec-Fetch-Site`` (every current browser) and, failing that,
    ``Origin`` (sent with every cross-origin POST since 2019-2020). A page on another
    site cannot forge either. A request with neither header is not from a browser that
    could be tricked into voting; like an API client it only meets the rate limit.
    ``CSRF_TRUSTED_ORIGINS`` (a front end on another origin) are accepted too.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        # "none": the reader typed or bookmarked the URL (a POST cannot come from that).
        if fetch_site == "same-origin":
            return True
        if fetch_site not in ("same-site", "cross-site"):
            return False
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        # Sec-Fetch-Site said same-site/cross-site, or an opaque origin: refuse.
        return fetch_site is None and origin is None
    allowed = {f"{request.scheme}://{request.get_host()}".lower()}
    allowed.update(_origin_of(o) for o in settings.CSRF_TRUSTED_ORIGINS)
    return _origin_of(origin) in allowed


def _redirect_after_vote(request, page):
    """Back to the article's rating, or to ``next`` if it stays on this site; never elsewhere."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = page.get_url(request) or "/"
    if "#" not in target:
        target = f"{target}#{RATING_ANCHOR}"
    return HttpResponseRedirect(target)


def _checked_reader_post(request, page_id, refuse, not_found_message):
    """The checks a reader's vote or feedback meets first, in this order: sent from this site's
    own pages (403), the client's rate (429, ``RATINGS_VOTE_RATE``), a live and public page (404).

    Returns ``(page, None)``, or ``(None, refusal)`` shaped by ``refuse(request, page, status,
    message, **headers)``; a 404 for a plain form post is Django's own page.
    """
    if not is_same_site_request(request):
        return None, refuse(request, None, 403, CROSS_SITE_VOTE_MESSAGE)
    retry_after = count_vote_against_rate_limit(request)
    if retry_after:
        return None, refuse(
            request, None, 429, VOTE_RATE_LIMITED_MESSAGE, **{"Retry-After": str(retry_after)}
        )
    page = ratable_page(page_id)
    if page is None:
        if _wants_json(request):
            return None, refuse(request, None, 404, not_found_message)
        raise Http404(not_found_message)
    return page, None


def _reader_identifier(request):
    """This reader's voter identifier and whether it is new (the answer then sets its cookie)."""
    identifier = get_voter_identifier(request)
    if identifier is None:
        return new_voter_identifier(), True
    return identifier, False


@require_POST
@csrf_exempt  # checked by is_same_site_request instead: the article page carries no token
def rating_vote(request, page_id):
    """Cast or change the reader's vote; JSON for the widget's script, a redirect for a form post.

    Refuses votes sent from another site's page (403), too many votes from one client IP
    (429, ``RATINGS_VOTE_RATE``), too many new voters on this page from one client IP (429,
    ``RATINGS_NEW_VOTERS_PER_ADDRESS``), pages that are not live and public (404) and scores
    outside 1-5 (400), changing nothing.
    """
    page, refusal = _checked_reader_post(request, page_id, _rating_error, _("This page cannot be rated."))
    if refusal:
        return refusal

    form = RatingForm(request.POST)
    if not form.is_valid():
        return _rating_error(request, page, 400, form.errors["score"][0])

    identifier, is_new_voter = _reader_identifier(request)
    score = form.cleaned_data["score"]
    try:
        summary = cast_vote(page, voter_key_for(identifier), score, client_address=client_address(request))
    except TooManyNewVoters as refused:
        return _rating_error(
            request, page, 429, NEW_VOTER_LIMIT_MESSAGE, **{"Retry-After": str(refused.retry_after)}
        )

    if _wants_json(request):
        response = JsonResponse(
            {
                **summary.as_dict(),
                "your_score": score,
                # The widget shows the new summary itself: the message reports the vote only.
                "message": gettext("Thank you: you rated this page %(stars)s.")
                % {"stars": SCORE_LABELS[score]},
            }
        )
    else:
        response = _redirect_after_vote(request, page)
    if is_new_voter:
        set_voter_cookie(response, identifier)
    add_never_cache_headers(response)
    return response


@require_GET
@never_cache
def rating_state(request, page_id):
    """The article's current summary and this reader's own score, as JSON.

    The widget's script calls this after load: the article page itself is the same
    for every reader (shared caches hold it), so the reader's own score comes from
    here, never cached (``private, no-store``). No CSRF token is needed to vote
    (see :func:`is_same_site_request`), so none is handed out and no cookie is set.
    """
    page = ratable_page(page_id)
    if page is None:
        return _rating_error(request, None, 404, _("This page cannot be rated."))
    identifier = get_voter_identifier(request)
    own_score = get_own_score(page, voter_key_for(identifier)) if identifier else None
    return JsonResponse({**get_rating_summary(page).as_dict(), "your_score": own_score})


# "Was this page helpful?" -------------------------------------------------------------------


def _feedback_page(request, page, status, *, form=None, message="", thanks=False, **headers):
    response = TemplateResponse(
        request,
        "treatment_pages/feedback_page.html",
        {
            "page": page,
            "feedback_form": form,
            "message": message,
            "thanks": thanks,
            "base_template": app_settings.TREATMENT_PAGES_BASE_TEMPLATE,
        },
        status=status,
    )
    for name, value in headers.items():
        response[name] = value
    add_never_cache_headers(response)
    return response


def _feedback_error(request, page, status, message, *, form=None, **headers):
    if _wants_json(request):
        errors = form.errors.get_json_data() if form is not None else {}
        response = JsonResponse({"error": str(message), "errors": errors}, status=status)
        for name, value in headers.items():
            response[name] = value
        add_never_cache_headers(response)
        return response
    return _feedback_page(request, page, status, form=form, message=message, **headers)


@require_POST
@csrf_exempt  # checked by is_same_site_request instead, as for votes: the article carries no token
def page_feedback(request, page_id):
    """Record the reader's "Was this page helpful?" answer: JSON for feedback.js, else a page.

    The same checks as a vote, in the same order (403 from another site, 429 over the rate or
    new-voter limits, 404 for a page that is not live and public); a form with mistakes comes
    back (400) with the reader's answers kept and each mistake named. A stored answer redirects
    (303) to a thank-you page, so a reload or Back never sends it again.
    """
    page, refusal = _checked_reader_post(
        request, page_id, _feedback_error, _("This page does not take feedback.")
    )
    if refusal:
        return refusal

    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _feedback_error(request, page, 400, _("Check your answers below."), form=form)

    identifier, is_new_voter = _reader_identifier(request)
    try:
        submit_feedback(
            page, voter_key_for(identifier), client_address=client_address(request), **form.answer()
        )
    except TooManyNewVoters as refused:
        return _feedback_error(
            request, page, 429, NEW_VOTER_LIMIT_MESSAGE, **{"Retry-After": str(refused.retry_after)}
        )

    if _wants_json(request):
        response = JsonResponse({"message": str(THANKS_MESSAGE)})
    else:
        response = HttpResponseRedirect(reverse("treatment_pages:feedback_thanks", args=[page.pk]))
        response.status_code = 303
    if is_new_voter:
        set_voter_cookie(response, identifier)
    add_never_cache_headers(response)
    return response


@require_GET
def page_feedback_thanks(request, page_id):
    """Where a feedback form post without JavaScript lands: thanks, and the way back."""
    page = ratable_page(page_id)
    if page is None:
        raise Http404(_("This page does not take feedback."))
    return _feedback_page(request, page, 200, thanks=True)
