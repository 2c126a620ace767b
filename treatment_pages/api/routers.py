"""v3 API endpoints (django-ninja routers) for treatment pages.

``register(api)`` adds them to Wagtail's v3 API (``TreatmentPagesConfig.ready`` does,
as Wagtail's own apps add theirs), so a host that mounts ``wagtail.api.v3.urls.api``
serves them: ``/clinic-contact/``, ``/treatments/``, ``/navigation/``, ``/seo/{id}/``,
``/ratings/`` and, with wagtail-headless-preview installed, ``/preview/``.
"""

import datetime
from typing import Annotated, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.core.signing import BadSignature
from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext
from ninja import Field, Header, Path, Query, Router, Schema
from pydantic import StrictInt
from wagtail.api.v3.errors import problem_response
from wagtail.api.v3.routers.pages import PageDetailSchema
from wagtail.models import Page, Site

from treatment_pages.api.policy import ORIGIN_REFUSED_DESCRIPTION, api_request_policy
from treatment_pages.articles.renditions import (
    ImageWithRenditionsDict,
    PictureDict,
    PictureSize,
    image_api_representation,
    picture_representation,
)
from treatment_pages.articles.seo import AlternateDict, canonical_url, page_json_ld, page_seo
from treatment_pages.articles.serializers import RatingSummaryDict
from treatment_pages.models import ClinicContactSettings, RatingSummary, TreatmentIndexPage, TreatmentPage
from treatment_pages.models.ratings import MAX_SCORE, MIN_SCORE, SCORE_LABELS
from treatment_pages.ratings.voters import (
    VOTER_COOKIE_MAX_AGE,
    client_address,
    new_voter_identifier,
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
from treatment_pages.webhooks.events import openapi_webhooks

# Page and image ids are 32-bit in the database; anything larger can only be a 404.
PageId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ImageId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# How the OpenAPI document declares the header every 429 of this app carries.
RETRY_AFTER_HEADER = {
    "required": True,
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer"},
}

contact_router = Router(tags=["clinic"])


class ClinicContactSchema(Schema):
    """The clinic's contact details, as the footer and "Next steps" blocks show them."""

    clinic_name: str
    street_address: str
    city: str
    state: str
    postcode: str
    phone: str
    phone_href: str
    email: str
    opening_hours: list[str]


@contact_router.get(
    "/",
    response=ClinicContactSchema,
    url_name="clinic_contact",
    operation_id="clinic_contact",
    summary="The clinic's contact details",
)
def clinic_contact(request):
    contact = ClinicContactSettings.for_api(request)
    if contact is None or not contact.clinic_name:
        raise Http404("The clinic's contact details have not been set up.")
    return {
        "clinic_name": contact.clinic_name,
        "street_address": contact.street_address,
        "city": contact.city,
        "state": contact.state,
        "postcode": contact.postcode,
        "phone": contact.phone,
        "phone_href": contact.phone_href,
        "email": contact.email,
        "opening_hours": contact.opening_hours_lines,
    }


# --- Ratings -------------------------------------------------------------------------------

ratings_router = Router(tags=["ratings"])
# Anonymous votes only from the site's own pages and its front ends; voters' answers never cached.
ratings_router.add_decorator(api_request_policy, mode="view")

# The voter token is to the API what the signed voter cookie is to the HTML widget: it
# carries the reader's random identifier, signed so it cannot be forged. Only its HMAC
# (the voter key) is stored; neither the token nor the key is ever shown to anyone else.
VOTER_TOKEN_SALT = "treatment_pages.api.routers.voter_token"  # noqa: S105 - a signing salt, not a secret
VOTER_TOKEN_HEADER = "X-Voter-Token"  # noqa: S105 - a header name


def issue_voter_token(identifier):
    return signing.dumps(identifier, salt=VOTER_TOKEN_SALT, compress=False)


def identifier_from_voter_token(token):
    """The identifier in ``token``, or None when it is missing, forged or too old."""
    # Signed tokens are ASCII; anything else (a JSON "\\ud800" included) is not one of ours.
    if not token or not token.isascii():
        return None
    try:
        identifier = signing.loads(token, salt=VOTER_TOKEN_SALT, max_age=VOTER_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    return identifier if isinstance(identifier, str) and identifier else None


def too_many_requests(retry_after, *, new_voters=False):
    """The 429 problem for a voter's vote or answer: over the client's rate, or too many new voters."""
    if new_voters:
        response = problem_response(
            status=429, title="Too many new voters from this client", detail=str(NEW_VOTER_LIMIT_MESSAGE)
        )
    else:
        response = problem_response(
            status=429, title="Too many requests", detail=str(VOTE_RATE_LIMITED_MESSAGE)
        )
    response["Retry-After"] = str(retry_after)
    return response


def invalid_voter_token(action):
    """The 422 problem for a voter token that is forged, garbled or too old; ``action``: "Vote", "Answer"."""
    return problem_response(
        status=422,
        detail="Validation failed",
        errors=[
            {
                "type": "invalid_voter_token",
                "loc": ["body", "voter_token"],
                "msg": f"This voter token is not valid. {action} without one to get a new token.",
            }
        ],
    )


class RatingSummarySchema(Schema):
    """A page's rating, as the article shows it (``text``)."""

    page_id: int
    count: int
    total: int
    average: float | None = Field(description="Mean to one decimal; null until someone has rated.")
    best_rating: int
    worst_rating: int
    text: str = Field(description="e.g. `4.3 out of 5, 12 ratings` or `Not rated yet (0 out of 5)`.")
    your_score: int | None = Field(
        None, description=f"The score of the voter whose token came in the `{VOTER_TOKEN_HEADER}` header."
    )


class VoteIn(Schema):
    # Strict: a JSON integer only. Pydantic's lax mode took "5", 5.0 and true as 5.
    score: StrictInt = Field(ge=MIN_SCORE, le=MAX_SCORE, description="1 to 5 stars, as a JSON integer.")
    voter_token: str | None = Field(
        None,
        max_length=300,
        description="The token a previous vote returned, so that rating again changes the vote. "
        "Leave it out on a reader's first vote.",
    )


class VoteOut(RatingSummarySchema):
    voter_token: str = Field(
        description="Keep it for this reader (and only this reader) and send it with later votes."
    )
    message: str


def _ratable_page_or_404(page_id):
    page = ratable_page(page_id)
    if page is None:
        raise Http404("This page cannot be rated.")
    return page


@ratings_router.get(
    "/{page_id}/",
    response=RatingSummarySchema,
    url_name="rating_summary",
    operation_id="ratings_detail",
    summary="A page's rating summary (and, with a voter token, that voter's own score)",
)
def rating_summary(
    request,
    page_id: PageId,
    response: HttpResponse,
    voter_token: str = Header(
        "",
        alias=VOTER_TOKEN_HEADER,
        max_length=300,
        description="The `voter_token` a vote returned, to get that voter's own score in `your_score`.",
    ),
):
    # The answer depends on the voter token: a browser or shared cache must keep the
    # anonymous answer apart from each voter's (api_request_policy makes those private).
    patch_vary_headers(response, [VOTER_TOKEN_HEADER])
    page = _ratable_page_or_404(page_id)
    data = get_rating_summary(page).as_dict()
    identifier = identifier_from_voter_token(voter_token)
    data["your_score"] = get_own_score(page, voter_key_for(identifier)) if identifier else None
    return data


@ratings_router.post(
    "/{page_id}/votes/",
    response=VoteOut,
    url_name="rating_vote",
    operation_id="ratings_vote",
    summary="Rate a page, or change this voter's rating",
    openapi_extra={
        "responses": {
            403: {"description": ORIGIN_REFUSED_DESCRIPTION},
            429: {
                "description": "Too many votes from this client, or too many new voters on this page "
                "from its address (a voter token's own vote can still be changed); retry after "
                "`Retry-After` seconds",
                "headers": {"Retry-After": RETRY_AFTER_HEADER},
            },
        }
    },
)
def vote(request, page_id: PageId, payload: VoteIn, response: HttpResponse):
    retry_after = count_vote_against_rate_limit(request)
    if retry_after:
        return too_many_requests(retry_after)
    page = _ratable_page_or_404(page_id)
    if payload.voter_token is None:
        identifier = new_voter_identifier()
    else:
        identifier = identifier_from_voter_token(payload.voter_token)
        if identifier is None:
            return invalid_voter_token("Vote")
    try:
        summary = cast_vote(
            page, voter_key_for(identifier), payload.score, client_address=client_address(request)
        )
    except TooManyNewVoters as refused:
        return too_many_requests(refused.retry_after, new_voters=True)
    # It carries this reader's voter token: never for a cache.
    patch_cache_control(response, private=True, no_store=True)
    return {
        **summary.as_dict(),
        "your_score": payload.score,
        "voter_token": payload.voter_token or issue_voter_token(identifier),
        "message": gettext("Thank you: you rated this page %(stars)s. Now %(summary)s.")
        % {"stars": SCORE_LABELS[payload.score], "summary": summary.text},
    }


# --- Listings, navigation and SEO: what a front end renders around the page data ------------

content_router = Router(tags=["content"])


class TreatmentListItemSchema(Schema):
    """An article as a listing card shows it."""

    id: int
    title: str
    intro: str
    path: str | None = Field(description="The page's path on the site, e.g. `/treatments/mesotherapy/`.")
    hero_image: ImageWithRenditionsDict | None
    hero_image_alt: str
    rating: RatingSummaryDict
    last_updated: datetime.date | None


class TreatmentListSchema(Schema):
    count: int
    items: list[TreatmentListItemSchema]


class TreatmentListFilters(Schema):
    index: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Only articles in this treatments index (a page id)."
    )
    limit: int = Field(20, ge=1, le=20, description="At most this many articles (20 at most).")
    offset: int = Field(0, ge=0, le=2**31 - 1)


@content_router.get(
    "/treatments/",
    response=TreatmentListSchema,
    url_name="treatment_list",
    operation_id="treatments_list",
    summary="Treatment articles as listing cards: title, intro, image, rating, last updated",
)
def treatment_list(request, filters: Query[TreatmentListFilters]):
    queryset = TreatmentPage.objects.live().public().order_by("path")
    if filters.index is not None:
        index = TreatmentIndexPage.objects.live().public().filter(pk=filters.index).first()
        if index is None:
            raise Http404("No published treatments index has this id.")
        queryset = queryset.child_of(index)
    queryset = TreatmentPage.optimise_api_queryset(queryset)
    count = queryset.count()
    pages = list(queryset[filters.offset : filters.offset + filters.limit])
    return {"count": count, "items": _treatment_cards(pages, request)}


def _treatment_cards(pages, request):
    summaries = RatingSummary.for_pages(page.pk for page in pages)
    return [
        {
            "id": page.pk,
            "title": page.title,
            "intro": page.intro,
            "path": page.get_url(request),
            "hero_image": image_api_representation(page.hero_image),
            "hero_image_alt": page.hero_image_alt,
            "rating": summaries[page.pk].as_dict(),
            "last_updated": page.last_updated,
        }
        for page in pages
    ]


class TreatmentSearchFilters(Schema):
    q: str = Field(
        min_length=1,
        max_length=200,
        description="What the reader typed, e.g. `acne scars`: at least one character.",
    )
    limit: int = Field(20, ge=1, le=20, description="At most this many articles (20 at most).")
    offset: int = Field(0, ge=0, le=2**31 - 1)


@content_router.get(
    "/treatments/search/",
    response=TreatmentListSchema,
    url_name="treatment_search",
    operation_id="treatments_search",
    summary="Search the published treatment articles (best match first), as listing cards",
)
def treatment_search(request, filters: Query[TreatmentSearchFilters]):
    query = filters.q.strip()
    if not query:
        return problem_response(
            status=422,
            detail="Validation failed",
            errors=[{"type": "blank", "loc": ["query", "q"], "msg": "Type what to search for."}],
        )
    results = TreatmentPage.objects.live().public().search(query, operator="and")
    count = results.count()
    pages = list(results[filters.offset : filters.offset + filters.limit])
    # The search backend returns pages in relevance order; the cards need their joins and ratings.
    loaded = TreatmentPage.optimise_api_queryset(
        TreatmentPage.objects.filter(pk__in=[page.pk for page in pages])
    )
    by_id = {page.pk: page for page in loaded}
    return {
        "count": count,
        "items": _treatment_cards([by_id[page.pk] for page in pages if page.pk in by_id], request),
    }


class PublicPathSchema(Schema):
    id: int
    type: str = Field(description="The page type, e.g. `treatment_pages.TreatmentPage`.")
    locale: str = Field(description="The page's language code, e.g. `en`.")
    path: str = Field(description="The page's path on the site, e.g. `/treatments/mesotherapy/`.")
    url: str = Field(description="The page's canonical address (on the front end when one is configured).")
    last_modified: datetime.datetime | None = Field(description="When the page was last published.")


class PublicPathListSchema(Schema):
    items: list[PublicPathSchema]
    next: str | None = Field(
        description="The `cursor` for the next batch; null on the last one. Opaque: pass it back as it is."
    )


class PublicPathFilters(Schema):
    cursor: str | None = Field(
        None, max_length=300, description="From the previous answer's `next`; leave out for the first batch."
    )
    limit: int = Field(500, ge=1, le=1000, description="At most this many paths (1000 at most).")


PATHS_CURSOR_SALT = "treatment_pages.api.routers.public_paths"


@content_router.get(
    "/paths/",
    response=PublicPathListSchema,
    url_name="public_paths",
    operation_id="public_paths",
    summary="Every published, public page of the site with its path and last change (for sitemaps and static builds)",
    description="Cursor-paginated in tree order: follow `next` until it is null. A page published while "
    "you read is listed if it comes after the cursor; none is listed twice.",
)
def public_paths(request, filters: Query[PublicPathFilters]):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site answers at this host.")
    pages = (
        site.root_page.get_descendants(inclusive=True)
        .live()
        .public()
        .select_related("locale")
        .only("id", "path", "url_path", "depth", "last_published_at", "content_type", "locale", "title")
        .order_by("path")
    )
    if filters.cursor is not None:
        try:
            after = signing.loads(filters.cursor, salt=PATHS_CURSOR_SALT)
        except BadSignature:
            return problem_response(
                status=400,
                title="Invalid cursor",
                detail="`cursor` must be a `next` value from this endpoint, unchanged. Leave it out to start again.",
            )
        pages = pages.filter(path__gt=after)
    batch = list(pages[: filters.limit + 1])
    more = len(batch) > filters.limit
    batch = batch[: filters.limit]
    items = []
    for page in batch:
        path = page.get_url(request, current_site=site)
        if path is None:
            continue
        items.append(
            {
                "id": page.pk,
                "type": page.specific_class._meta.label,
                "locale": page.locale.language_code,
                "path": path,
                "url": canonical_url(page, request),
                "last_modified": page.last_published_at,
            }
        )
    return {"items": items, "next": signing.dumps(batch[-1].path, salt=PATHS_CURSOR_SALT) if more else None}


picture_router = Router(tags=["images"])


class PictureFilters(Schema):
    size: PictureSize = Field(
        description="One of the allowed sizes: `card` (4:3), `content` (the image's own shape), `hero` (12:5)."
    )


@picture_router.get(
    "/{image_id}/",
    response=PictureDict,
    url_name="picture",
    operation_id="pictures_detail",
    summary="An image as a `<picture>`: srcset widths in AVIF, WebP and its own format, at an allowed size",
)
def picture(request, image_id: ImageId, filters: Query[PictureFilters]):
    from wagtail.images import get_image_model
    from wagtail.images.models import SourceImageIOError

    image = get_image_model().objects.filter(pk=image_id).first()
    if image is None:
        raise Http404("No image has this id.")
    try:
        return picture_representation(image, filters.size)
    except SourceImageIOError as e:
        raise Http404("This image's file is missing.") from e


class NavigationItemSchema(Schema):
    id: int
    title: str
    path: str | None
    type: str


class NavigationSchema(Schema):
    """The site's main menu: the home page, then its children shown in menus."""

    home: NavigationItemSchema
    items: list[NavigationItemSchema]


def _navigation_item(page, request):
    return {
        "id": page.pk,
        "title": page.title,
        "path": page.get_url(request),
        "type": page.specific_class._meta.label,
    }


@content_router.get(
    "/navigation/",
    response=NavigationSchema,
    url_name="navigation",
    operation_id="navigation",
    summary="The main menu, as the site's header shows it",
)
def navigation(request):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404("No site answers at this host.")
    home = site.root_page
    sections = home.get_children().live().public().in_menu().order_by("path")
    return {
        "home": _navigation_item(home, request),
        "items": [_navigation_item(page, request) for page in sections],
    }


class PageSEOSchema(Schema):
    """What the page's HTML head carries: SEO and Open Graph values and its JSON-LD blocks."""

    page_id: int
    title: str
    description: str
    canonical_url: str | None = Field(
        description="Where the page is read: on the front end when `TREATMENT_PAGES_FRONTEND_BASE_URL` is set."
    )
    alternates: list[AlternateDict] = Field(
        description="`hreflang` alternates (each translation, then `x-default`); empty for a page in one language."
    )
    og_type: str
    og_image: str | None
    json_ld: list[dict[str, Any]] = Field(
        description="schema.org data blocks, exactly as the HTML page embeds them."
    )


@content_router.get(
    "/seo/{page_id}/",
    response=PageSEOSchema,
    url_name="page_seo",
    operation_id="page_seo",
    summary="A published page's SEO fields and JSON-LD",
)
def page_seo_detail(request, page_id: PageId):
    page = Page.objects.live().public().filter(pk=page_id).specific().first()
    if page is None:
        raise Http404("No published page has this id.")
    return {"page_id": page.pk, **page_seo(page, request), "json_ld": page_json_ld(page, request)}


# --- Drafts for a front end's preview (with wagtail-headless-preview) ----------------------

preview_router = Router(tags=["pages"])

# How long a preview link works, as wagtail-headless-preview keeps the stored draft
# (``PagePreview.garbage_collect`` deletes drafts from before yesterday): a day. The
# package's signer checks the signature but not its age, so this module does.
PREVIEW_TOKEN_MAX_AGE = 24 * 60 * 60


class PreviewExpired(Exception):
    """The preview token is genuine but older than ``PREVIEW_TOKEN_MAX_AGE``."""


def draft_from_preview_token(content_type, token):
    """The draft an editor's headless preview signed ``token`` for; Http404 for anything else.

    The token is the one wagtail-headless-preview signs when an editor opens the preview;
    it names a stored draft, so only someone the editor's preview sent here can read it.
    It is single-purpose: signed with the preview signer's own salt (no voter, form or
    API token is one), it reads only the one draft it was made for, of its own content
    type, and only here (``?version=draft`` on the pages endpoint takes a bearer token,
    never a preview token). It expires after ``PREVIEW_TOKEN_MAX_AGE`` (``PreviewExpired``).
    Any page type with ``get_page_from_preview_token`` (the headless preview mixin) is
    served, the host's own included.
    """
    app_label, _, model_name = content_type.partition(".")
    try:
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist as e:
        raise Http404("No such preview.") from e
    if model is None or not hasattr(model, "get_page_from_preview_token"):
        raise Http404("No such preview.")
    try:
        model.get_preview_signer().unsign(token, max_age=PREVIEW_TOKEN_MAX_AGE)
    except signing.SignatureExpired as e:
        raise PreviewExpired from e
    except BadSignature as e:
        raise Http404("No such preview.") from e
    try:
        page = model.get_page_from_preview_token(token)
    except BadSignature as e:
        raise Http404("No such preview.") from e
    if page is None:
        raise Http404("No such preview.")
    return page


@preview_router.get(
    "/",
    response=PageDetailSchema,
    url_name="page_preview",
    operation_id="pages_preview",
    summary="A draft of any page type, as an editor's headless preview sent it",
    description="Answered `private, no-store`: a draft is for the editor who opened the preview, never for "
    "a shared or browser cache. A preview link works for a day (then 403: open the preview again).",
    openapi_extra={"responses": {403: {"description": "The preview link has expired (after a day)"}}},
)
def page_preview(
    request,
    response: HttpResponse,
    content_type: str = Query(..., max_length=100, description="`app_label.model` from the preview URL."),
    token: str = Query(..., max_length=500, description="The signed token from the preview URL."),
):
    patch_cache_control(response, private=True, no_store=True)
    try:
        return draft_from_preview_token(content_type, token)
    except PreviewExpired:
        refused = problem_response(
            status=403,
            title="Preview expired",
            detail="This preview link is more than a day old. Open the preview again in Wagtail.",
        )
        patch_cache_control(refused, private=True, no_store=True)
        return refused


def request_too_large(request, exc):
    """A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413 as a problem document.

    Django raises ``RequestDataTooBig`` when the view first reads the body; without
    this handler Wagtail's catch-all answers 500 with DEBUG on, and Django an HTML
    400 with it off.
    """
    return problem_response(
        status=413,
        title="Request body too large",
        detail=f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes. Send a smaller one.",
    )


def register(api):
    """Add this app's routers to ``api`` (Wagtail's v3 ``NinjaAPI``); called once, from ``ready()``.

    Routers must be added before ``api.urls`` is first read, which a host's URLconf
    does after every app is ready.
    """
    api.add_router("/clinic-contact/", contact_router)
    api.add_router("/", content_router)
    api.add_router("/ratings/", ratings_router)
    api.add_router("/pictures/", picture_router)
    from treatment_pages.api.feedback import feedback_router  # imports this module's voter tokens

    api.add_router("/feedback/", feedback_router)
    if apps.is_installed("wagtail_headless_preview"):
        api.add_router("/preview/", preview_router)
    api.add_exception_handler(RequestDataTooBig, request_too_large)
    # The events this app posts to webhook receivers, typed in the same document.
    api.openapi_extra.setdefault("webhooks", {}).update(openapi_webhooks())
