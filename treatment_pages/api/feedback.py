"""v3 API: "Was this page helpful?" (``POST /feedback/{page_id}/``), registered by ``routers.register``.

The same rules as the article's form (treatment_pages.views.page_feedback): one answer per
reader per article, identified by the ratings' voter token; the ratings' abuse limits; the
comment scrubbed of anything that looks like patient data before it is stored.
"""

from typing import Literal

from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Field, Router, Schema
from pydantic import StrictBool

from treatment_pages.api.policy import ORIGIN_REFUSED_DESCRIPTION, api_request_policy
from treatment_pages.api.routers import (
    PageId,
    identifier_from_voter_token,
    invalid_voter_token,
    issue_voter_token,
    too_many_requests,
)
from treatment_pages.feedback.service import THANKS_MESSAGE, submit_feedback
from treatment_pages.models.feedback import COMMENT_MAX_LENGTH, REASON_CHOICES
from treatment_pages.ratings.voters import client_address, new_voter_identifier, voter_key_for
from treatment_pages.ratings.votes import (
    TooManyNewVoters,
    count_vote_against_rate_limit,
    ratable_page,
)

REASON_CODES = tuple(code for code, _label in REASON_CHOICES)

feedback_router = Router(tags=["feedback"])
# Anonymous answers only from the site's own pages and its front ends; never cached.
feedback_router.add_decorator(api_request_policy, mode="view")


class FeedbackIn(Schema):
    helpful: StrictBool = Field(description="Was the page helpful? A JSON true or false.")
    reason: Literal[("", *REASON_CODES)] = Field(
        "", description="For `helpful: false`: what was wrong. Ignored for `helpful: true`."
    )
    comment: str = Field(
        "",
        max_length=COMMENT_MAX_LENGTH,
        description="For `helpful: false`, optional. Emails, phone numbers, dates and long numbers are "
        "removed before it is stored: ask readers not to include personal details.",
    )
    voter_token: str | None = Field(
        None,
        max_length=300,
        description="The reader's voter token (from a vote or an earlier answer), so answering again "
        "changes the answer. Leave it out for a reader who has none.",
    )


class FeedbackOut(Schema):
    message: str
    voter_token: str = Field(description="Keep it for this reader (and only this reader).")


@feedback_router.post(
    "/{page_id}/",
    response=FeedbackOut,
    url_name="page_feedback",
    operation_id="feedback_answer",
    summary="Answer “Was this page helpful?” for an article, or change this reader's answer",
    openapi_extra={
        "responses": {
            403: {"description": ORIGIN_REFUSED_DESCRIPTION},
            429: {"description": "Too many answers from this client; retry after `Retry-After` seconds"},
        }
    },
)
def answer(request, page_id: PageId, payload: FeedbackIn, response: HttpResponse):
    retry_after = count_vote_against_rate_limit(request)
    if retry_after:
        return too_many_requests(retry_after)
    page = ratable_page(page_id)
    if page is None:
        raise Http404("This page does not take feedback.")
    if payload.voter_token is None:
        identifier = new_voter_identifier()
    else:
        identifier = identifier_from_voter_token(payload.voter_token)
        if identifier is None:
            return invalid_voter_token("Answer")
    try:
        submit_feedback(
            page,
            voter_key_for(identifier),
            helpful=payload.helpful,
            reason=payload.reason,
            comment=payload.comment,
            client_address=client_address(request),
        )
    except TooManyNewVoters as refused:
        return too_many_requests(refused.retry_after, new_voters=True)
    # It carries this reader's voter token: never for a cache.
    patch_cache_control(response, private=True, no_store=True)
    return {
        "message": str(THANKS_MESSAGE),
        "voter_token": payload.voter_token or issue_voter_token(identifier),
    }
