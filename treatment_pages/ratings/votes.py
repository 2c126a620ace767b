"""Casting votes and reading summaries: the one write path for ratings.

Call these from views and the API:

- :func:`cast_vote` records or changes a reader's score and returns the page's summary;
- :func:`get_rating_summary` / :func:`get_rating_summaries` read summaries (one query);
- :func:`get_own_score` reads one reader's current score;
- :func:`ratable_page` and :func:`count_vote_against_rate_limit` decide who may vote.

Exactness under concurrency: every write to a page's ratings first takes the lock on
that page's :class:`RatingSummary` row (``SELECT ... FOR UPDATE``), then changes the
rating row, then moves the summary with ``F()`` expressions, all in one transaction.
So two requests for the same page are serialised, a reader re-voting against itself
finds its own row and applies the difference to the previous score, and the lock
order (summary, then rating) is the same on the delete path, which cannot deadlock
against votes. On SQLite the whole database is locked by the first writer instead.

Ballot stuffing: a client that throws its voter cookie (or token) away becomes a new
voter on every vote. So each client address may create only
``RATINGS_NEW_VOTERS_PER_ADDRESS`` new voters per page per
``RATINGS_NEW_VOTER_WINDOW`` seconds (5 a day by default); beyond that
:func:`cast_vote` raises :class:`TooManyNewVoters` and changes nothing. Readers who
already rated the page change their vote as before. The count lives in the shared
cache under a keyed hash of the address (``voters.address_key_for``), never in the
database, and expires with its window. A cache that is down lets votes through.
"""

import logging
import time
from functools import partial

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Now
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from treatment_pages.conf import app_settings
from treatment_pages.models import TreatmentPage
from treatment_pages.models.ratings import MAX_SCORE, MIN_SCORE, Rating, RatingSummary
from treatment_pages.ratings.client_ip import rate_limit_key
from treatment_pages.ratings.voters import address_key_for
from treatment_pages.signals import rating_summary_changed

try:  # Redis is optional: its errors are what an unreachable shared cache raises.
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - a host without Redis
    RedisError = OSError

logger = logging.getLogger(__name__)

INVALID_SCORE_MESSAGE = format_lazy(
    _("Choose a rating from {min} to {max} stars."), min=MIN_SCORE, max=MAX_SCORE
)

# What an unreachable cache raises: socket errors (ConnectionError, TimeoutError) or Redis's own.
CACHE_ERRORS = (OSError, RedisError)

NEW_VOTER_LIMIT_MESSAGE = _(
    "Too many people on your network have rated this page today, so this rating was not counted. "
    "Ratings already given are kept. If you have rated it before, rate it again from the same "
    "browser to change your rating."
)


class TooManyNewVoters(Exception):
    """This client address has already created its share of new voters for the page.

    ``retry_after``: seconds until the window ends and it may again.
    """

    def __init__(self, retry_after):
        super().__init__(str(NEW_VOTER_LIMIT_MESSAGE))
        self.retry_after = retry_after


def validate_score(score):
    """Return ``score`` as an int from 1 to 5, or raise ``ValidationError`` saying what to fix."""
    if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
        raise ValidationError(INVALID_SCORE_MESSAGE, code="invalid_score")
    return score


def cast_vote(page, voter_key, score, *, client_address=None):
    """Record ``score`` as this voter's rating of ``page`` (a page or its id); return the summary.

    A voter who has rated the page before changes their score; the count does not move.
    ``voter_key`` comes from :func:`treatment_pages.ratings.voters.voter_key_for`. Raises
    ``ValidationError`` for a score outside 1-5; checking that the page may be rated
    (live, public) is the caller's job. Sends ``rating_summary_changed`` after commit
    when the summary changed.

    ``client_address`` (from :func:`treatment_pages.ratings.voters.client_address`) is where the
    vote comes from: a first vote on the page from an address that has created its
    share of new voters raises :class:`TooManyNewVoters`, storing nothing. Every public
    surface passes it; ``None`` (scripts, data imports) is not limited.
    """
    score = validate_score(score)
    if not voter_key:
        raise ValueError("cast_vote() needs the voter's key.")
    page_id = getattr(page, "pk", page)

    with transaction.atomic():
        summary = _lock_summary(page_id)
        ratings = Rating.objects.filter(page_id=page_id, voter_key=voter_key)
        # Read under the summary lock: no other vote or deletion for this page can
        # change this reader's row until we commit.
        previous = ratings.values_list("score", flat=True).first()
        if previous is None:
            if client_address is not None:
                # Under the page's lock, so the count matches the rows created; raising
                # here rolls the transaction back with nothing changed.
                count_new_voter(page_id, client_address)
            Rating.objects.create(page_id=page_id, voter_key=voter_key, score=score)
            count_delta, total_delta = 1, score
        else:
            ratings.update(score=score, updated=Now())
            count_delta, total_delta = 0, score - previous

        if count_delta or total_delta:
            RatingSummary.objects.filter(pk=page_id).update(
                count=F("count") + count_delta, total=F("total") + total_delta, updated=Now()
            )
            # The row was read under our lock, so this matches what the UPDATE stored.
            summary.count += count_delta
            summary.total += total_delta
            _announce_change_on_commit(page_id)
    return summary


def get_rating_summary(page):
    """The public summary of ``page`` (a page or its id); an unsaved empty one if unrated."""
    return RatingSummary.for_page(getattr(page, "pk", page))


def get_rating_summaries(pages):
    """``{page_id: summary}`` for many pages (or ids) in one query, for listings."""
    return RatingSummary.for_pages(getattr(page, "pk", page) for page in pages)


def get_own_score(page, voter_key):
    """This voter's current score for ``page``, or ``None`` if they have not rated it."""
    if not voter_key:
        return None
    return (
        Rating.objects.filter(page_id=getattr(page, "pk", page), voter_key=voter_key)
        .values_list("score", flat=True)
        .first()
    )


def count_new_voter(page_id, address, scope="new_voters"):
    """Count one new voter for ``page_id`` from ``address``; raise TooManyNewVoters over the limit.

    ``scope`` keeps separate counts for separate things a reader answers once per page (ratings,
    "was this helpful?"), each under the same ``RATINGS_NEW_VOTERS_PER_ADDRESS`` limit.
    """
    limit = app_settings.RATINGS_NEW_VOTERS_PER_ADDRESS
    if not limit:
        return
    window = int(app_settings.RATINGS_NEW_VOTER_WINDOW)
    now = time.time()
    # Fixed windows (a day by default), so the answer can say when the next one starts.
    key = f"treatment_pages:{scope}:{page_id}:{int(now // window)}:{address_key_for(address)}"
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window)
            count = 1
    except CACHE_ERRORS as exc:
        # An unreachable cache must not stop readers rating; the per-minute vote limit still applies.
        logger.error("New-voter limit check failed (%s); vote allowed", type(exc).__name__)
        return
    if count > limit:
        raise TooManyNewVoters(retry_after=max(int(window - now % window), 1))


def _lock_summary(page_id):
    """Lock the page's summary row for this transaction, creating it on the first vote."""
    summary = RatingSummary.objects.select_for_update().filter(page_id=page_id).first()
    if summary is None:
        # INSERT ... ON CONFLICT DO NOTHING: a concurrent first vote waits here for the
        # other transaction, then finds its row instead of failing on the primary key.
        RatingSummary.objects.bulk_create([RatingSummary(page_id=page_id)], ignore_conflicts=True)
        summary = RatingSummary.objects.select_for_update().get(page_id=page_id)
    return summary


def _announce_change_on_commit(page_id):
    transaction.on_commit(partial(rating_summary_changed.send, sender=Rating, page_id=page_id))


@receiver(pre_delete, sender=Rating, dispatch_uid="treatment_pages.ratings.votes.lock_summary_before_delete")
def _lock_summary_before_delete(sender, instance, **kwargs):
    """Take the summary lock before the DELETE, in the same order as votes do."""
    # Django runs delete signals inside the deletion's transaction.
    list(RatingSummary.objects.select_for_update().filter(page_id=instance.page_id).values_list("pk"))


@receiver(
    post_delete, sender=Rating, dispatch_uid="treatment_pages.ratings.votes.update_summary_after_delete"
)
def _update_summary_after_delete(sender, instance, **kwargs):
    """Recount the page's summary from its remaining ratings, in one UPDATE under the lock.

    Recounting (rather than subtracting ``instance.score``) stays exact even if the
    reader changed their score between the admin loading the row and deleting it.
    Covers the admin's delete view, bulk delete, queryset deletes and page deletion.
    """
    remaining = Rating.objects.filter(page_id=OuterRef("page_id")).order_by().values("page_id")
    updated = RatingSummary.objects.filter(page_id=instance.page_id).update(
        count=Coalesce(
            Subquery(remaining.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0)
        ),
        total=Coalesce(
            Subquery(remaining.annotate(s=Sum("score")).values("s"), output_field=IntegerField()), Value(0)
        ),
        updated=Now(),
    )
    if updated:
        _announce_change_on_commit(instance.page_id)


# Who may vote, and how often (shared by the widget's view and the API) ---------------

RATING_RATE_GROUP = "treatment_pages.rating_vote"


VOTE_RATE_LIMITED_MESSAGE = _(
    "Too many ratings from your network just now. Please wait a minute and try again."
)


def count_vote_against_rate_limit(request):
    """Count one vote against the client IP's limit (``RATINGS_VOTE_RATE``); shared by every
    way of voting (the widget, the API). Returns the seconds to wait when over it, else 0."""
    try:
        usage = get_usage(
            request,
            group=RATING_RATE_GROUP,
            key=rate_limit_key,
            rate=app_settings.RATINGS_VOTE_RATE or None,
            method="POST",
            increment=True,
        )
    except CACHE_ERRORS as exc:
        # Only an unreachable cache lets votes through unlimited; bad input cannot get here
        # (the client address is always an IP address, see treatment_pages.ratings.client_ip).
        logger.error("Vote rate limit check failed (%s); vote allowed", type(exc).__name__)
        return 0
    if usage and usage["should_limit"]:
        return max(usage["time_left"], 1)
    return 0


def ratable_page(page_id):
    """The live, public article with this id, or ``None`` (drafts and private pages cannot be rated)."""
    return TreatmentPage.objects.live().public().defer_streamfields().filter(pk=page_id).first()
