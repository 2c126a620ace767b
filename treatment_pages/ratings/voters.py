"""Who a vote comes from: a random identifier in a first-party signed cookie.

The database only ever sees ``voter_key_for(identifier)``, an HMAC-SHA256 keyed by
``RATINGS_VOTER_SECRET`` (or, when unset, a key derived from ``SECRET_KEY``), so a
leaked table reveals neither cookies nor IP addresses, and keys cannot be recomputed
without the secret. Nothing here touches the database.

The client's network address is only ever used as ``address_key_for(address)``, an
HMAC under its own salt, to count new voters in the shared cache (see
``treatment_pages.ratings.votes``); it is never stored in the database.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

from treatment_pages.conf import app_settings
from treatment_pages.ratings.client_ip import address_for_limits

VOTER_COOKIE_NAME = "clinic_voter"
# Separate salts: the cookie signature and the stored key must not be derivable from each other.
_COOKIE_SALT = "treatment_pages.ratings.voters.cookie"
_KEY_SALT = "treatment_pages.ratings.voters.key"
_ADDRESS_SALT = "treatment_pages.ratings.voters.address"
VOTER_COOKIE_MAX_AGE = 60 * 60 * 24 * 365 * 2  # two years: one reader keeps one vote


def new_voter_identifier():
    """A fresh random identifier for a reader who has no voter cookie yet."""
    return secrets.token_urlsafe(24)


def _secret():
    return app_settings.RATINGS_VOTER_SECRET or settings.SECRET_KEY


def voter_key_for(identifier):
    """The stored form of a voter identifier: a 64-character hex HMAC."""
    if not identifier:
        raise ValueError("A voter identifier is required.")
    return salted_hmac(_KEY_SALT, identifier, secret=_secret(), algorithm="sha256").hexdigest()


def client_address(request):
    """The client's address as this app's rate limits count it (``treatment_pages.ratings.client_ip``).

    An IPv6 client is its /64 (``RATELIMIT_IPV6_MASK``): one household or phone holds a whole
    network, so counting full addresses would let it create a new voter from each of them.
    """
    return address_for_limits(request)


def address_key_for(address):
    """A keyed hash of a client address (64 hex characters), for counters in the shared cache.

    Without the secret it cannot be turned back into the address, even though the
    IPv4 space is small enough to try every address against an unkeyed hash.
    """
    return salted_hmac(_ADDRESS_SALT, address or "", secret=_secret(), algorithm="sha256").hexdigest()


def get_voter_identifier(request):
    """The identifier from the reader's signed cookie, or ``None`` (absent or tampered with)."""
    return request.get_signed_cookie(VOTER_COOKIE_NAME, default=None, salt=_COOKIE_SALT) or None


def has_voter_cookie(request):
    """Whether the request carries a voter cookie at all (cheap: no signature check)."""
    return VOTER_COOKIE_NAME in request.COOKIES


def set_voter_cookie(response, identifier):
    """Remember the reader so that rating again changes their vote instead of adding one."""
    response.set_signed_cookie(
        VOTER_COOKIE_NAME,
        identifier,
        salt=_COOKIE_SALT,
        max_age=VOTER_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
