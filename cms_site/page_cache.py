"""Whole-page cache for anonymous readers, on Django's cache framework.

A published article, index or home page is rendered once and then answered from
the shared cache (Redis in production) by every app server, without routing,
database queries or template rendering.

How it decides
--------------
* **Lookup** (``PageCacheMiddleware``, before sessions, CSRF and authentication):
  only GET/HEAD requests with no ``Authorization`` header, no session or messages
  cookie (a session cookie may carry a login, so those requests are never answered
  from the cache) and no query string other than tracking parameters.
* **Store**: only what Wagtail served for a page whose type opted in
  (``PAGE_CACHE_PAGE_TYPES``), outside previews, without view restrictions, and
  only a rendered 200 response that is not ``private``/``no-store``, uses no CSP
  nonce, sets no cookie other than the CSRF cookie and holds no field listed in
  ``PAGE_CACHE_NEVER_STORE_FIELDS`` (a form's time-stamped anti-spam token).
* **CSRF tokens** (the rating widget's and any embedded form's) are never shared:
  before storing, every token in the body is swapped for a placeholder, and each
  hit gets a fresh token masked from the reader's own CSRF cookie (or a new
  cookie), exactly what Django's ``get_token`` would have rendered for them.
* **Keys** hold a site-wide *generation* number: publishing, unpublishing, moving
  or deleting any page, and saving site settings, bump it, which retires every
  entry at once (O(1); entries age out of Redis by their timeout). Navigation,
  breadcrumbs and listings repeat other pages' titles, so a publish anywhere can
  change any page. A rating change only affects its page and the index above it,
  so it bumps a per-page *version* instead, checked on every hit.

Counters of hits, misses and stores are kept per process (``stats``) and every
response the cache considered carries ``X-Cache: HIT``, ``MISS`` or ``BYPASS``.
"""

import hashlib
import logging
import re
import secrets
import time
from collections import Counter
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, _unmask_cipher_token
from django.utils.cache import cc_delim_re

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"
PAGE_VERSION_KEY = "pagecache:page:{}"
ENTRY_KEY = "pagecache:entry:{generation}:{digest}"

# Query parameters that never change what a page shows (campaign tracking).
IGNORED_QUERY_PARAMETERS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga"})
IGNORED_QUERY_PREFIXES = ("utm_",)

# Stands in a stored body for the reader's CSRF token (never valid token characters).
CSRF_PLACEHOLDER = b"{%page-cache:csrf-token%}"
# A masked CSRF token as Django renders it: 64 letters and digits.
_MASKED_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_CSRF_SECRET = re.compile(rf"[A-Za-z0-9]{{{CSRF_SECRET_LENGTH}}}")

# Per-process counters, for benchmarks and debugging.
stats = Counter()


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _timeout():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


def is_enabled():
    return _timeout() > 0


def _fresh_counter():
    # A counter that went missing (evicted, Redis restarted) starts again from the
    # clock, so it can never fall back to a value old entries were stored under.
    return time.time_ns() // 1_000


def _read_counter(cache, key):
    value = cache.get(key)
    if value is None:
        cache.add(key, _fresh_counter(), timeout=None)
        value = cache.get(key)
    return value


def _bump_counter(key):
    cache = _cache()
    try:
        cache.incr(key)
    except ValueError:
        # Missing: start from the clock, which is later than any earlier value.
        cache.set(key, _fresh_counter(), timeout=None)


def current_generation():
    return _read_counter(_cache(), GENERATION_KEY)


def page_version(page_id):
    return _read_counter(_cache(), PAGE_VERSION_KEY.format(page_id))


def purge_all():
    """Retire every cached page at once (site settings changed, a page was published...).

    Never raises: an editor's publish must not fail because the cache is down (what
    was stored then ages out within ``PAGE_CACHE_SECONDS``).
    """
    try:
        _bump_counter(GENERATION_KEY)
    except Exception:
        logger.exception("page cache purge failed: cached pages may be stale for up to %ss", _timeout())
        return
    stats["purge_all"] += 1
    logger.debug("page cache purged")


def purge_pages(page_ids):
    """Retire the cached copies of the given pages only (e.g. a rating changed). Never raises."""
    try:
        for page_id in set(page_ids):
            _bump_counter(PAGE_VERSION_KEY.format(page_id))
    except Exception:
        logger.exception("page cache purge of pages %s failed", sorted(set(page_ids)))
        return
    stats["purge_pages"] += 1


def url_digest(request):
    """Digest of this request's URL; ``None`` when the query string makes it uncacheable.

    Tracking parameters are ignored; any other parameter could change the page (or
    be used to flood the cache with variants), so such requests are rendered normally.
    """
    for name, _value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True):
        if name not in IGNORED_QUERY_PARAMETERS and not name.startswith(IGNORED_QUERY_PREFIXES):
            return None
    url = f"{request.scheme}://{request.get_host()}{request.path}"
    return hashlib.sha256(url.encode()).hexdigest()


def entry_key(generation, digest):
    return ENTRY_KEY.format(generation=generation, digest=digest)


class _Guesses:
    """What this process saw last: the generation, which page each URL showed, and
    copies of the entries it served recently.

    They let a hit cost one small cache round trip (the generation and the page's
    version) instead of fetching the whole page again; every guess is checked
    against what the shared cache returns, so invalidation stays immediate on
    every server.
    """

    MAX_URLS = 10_000
    MAX_ENTRIES = 100  # about 3 MB of pages per worker

    def __init__(self):
        self.generation = None
        self.page_ids = {}
        self.entries = {}

    def remember(self, generation, digest=None, page_id=None):
        if generation != self.generation:
            self.entries.clear()
        self.generation = generation
        if digest is not None:
            if len(self.page_ids) >= self.MAX_URLS:
                self.page_ids.clear()
            self.page_ids[digest] = page_id

    def keep(self, digest, entry):
        if len(self.entries) >= self.MAX_ENTRIES:
            self.entries.clear()
        self.entries[digest] = entry

    def local_entry(self, digest):
        entry = self.entries.get(digest)
        # Never outlive the shared copy's own timeout.
        if entry is not None and time.time() < entry.get("stored_at", 0) + _timeout():
            return entry
        self.entries.pop(digest, None)
        return None


_guesses = _Guesses()


def lookup(digest):
    """The current generation and the valid stored entry for ``digest`` (or ``None``)."""
    cache = _cache()
    guessed_generation = _guesses.generation
    local = _guesses.local_entry(digest) if guessed_generation is not None else None
    guessed_page = local["page_id"] if local is not None else _guesses.page_ids.get(digest)
    keys = [GENERATION_KEY]
    if guessed_generation is not None and local is None:
        keys.append(entry_key(guessed_generation, digest))
    if guessed_page is not None:
        keys.append(PAGE_VERSION_KEY.format(guessed_page))
    found = cache.get_many(keys)

    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = current_generation()
    if generation == guessed_generation and local is not None:
        if found.get(PAGE_VERSION_KEY.format(local["page_id"])) == local["page_version"]:
            stats["local_copy"] += 1
            return generation, local
        _guesses.entries.pop(digest, None)  # outdated: look in the shared cache
        entry = cache.get(entry_key(generation, digest))
    elif generation == guessed_generation:
        entry = found.get(entry_key(generation, digest))
    else:
        entry = cache.get(entry_key(generation, digest))
    _guesses.remember(generation)
    if entry is None:
        return generation, None

    version = (
        found.get(PAGE_VERSION_KEY.format(entry["page_id"])) if entry["page_id"] == guessed_page else None
    )
    if version is None:
        version = page_version(entry["page_id"])
    _guesses.remember(generation, digest, entry["page_id"])
    if entry["page_version"] != version:
        return generation, None
    _guesses.keep(digest, entry)
    return generation, entry


def request_may_use_cache(request):
    """Whether the cache may answer this request: anonymous, idempotent, no credentials."""
    if request.method not in ("GET", "HEAD"):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    bypass_cookies = {
        settings.SESSION_COOKIE_NAME,
        getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
        *getattr(settings, "PAGE_CACHE_BYPASS_COOKIES", ()),
    }
    return not any(name in request.COOKIES for name in bypass_cookies)


def mark_page_cacheable(page, request):
    """Called as Wagtail serves ``page``: remember it may be stored, if its type opted in.

    The page's version is read now, before rendering, so a rating that lands while
    the page renders makes the stored copy stale at once rather than hiding the vote.
    """
    if not is_enabled() or getattr(request, "_page_cache_key", None) is None:
        return
    if getattr(request, "is_preview", False) or request.method != "GET":
        return
    if page._meta.label_lower not in getattr(settings, "PAGE_CACHE_PAGE_TYPES", ()):
        return
    if page.get_view_restrictions().exists():
        return
    try:
        request._page_cache_page = (page.pk, page_version(page.pk))
    except Exception:
        logger.warning("page cache unavailable, page %s not stored", page.pk, exc_info=True)


def response_is_cacheable(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
        return False
    cache_control = {part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    if cache_control & {"private", "no-store", "no-cache"}:
        return False
    vary = {part.strip().lower() for part in cc_delim_re.split(response.get("Vary", ""))}
    if "*" in vary or "authorization" in vary:
        return False
    # A CSP nonce is per response: a stored copy would hand every reader the same one.
    return getattr(request, "_csp_nonce", None) is None


def template_csrf_tokens(request, response):
    """The body with this reader's CSRF tokens replaced by the placeholder, or ``None``
    when it must not be shared (then the page is not stored)."""
    body = response.content
    for field in getattr(settings, "PAGE_CACHE_NEVER_STORE_FIELDS", ()):
        if f'name="{field}"'.encode() in body:
            return None
    if settings.CSRF_COOKIE_NAME not in response.cookies:
        return body
    secret = request.META.get("CSRF_COOKIE")
    if settings.CSRF_USE_SESSIONS or not secret or CSRF_PLACEHOLDER in body:
        return None

    def replace(match):
        token = match.group().decode()
        return CSRF_PLACEHOLDER if _unmask_cipher_token(token) == secret else match.group()

    body = _MASKED_TOKEN.sub(replace, body)
    # The unmasked secret itself must never be shared.
    return None if secret.encode() in body else body


_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
# Bytes at or above this would favour some characters: they are drawn again.
_UNBIASED_LIMIT = 256 - 256 % len(CSRF_ALLOWED_CHARS)


def _random_csrf_string():
    """A random CSRF secret or mask, as Django's ``_get_new_csrf_string`` makes them, but
    from one ``os.urandom`` read instead of 32 ``secrets.choice`` calls (a hit's hot path)."""
    chars = []
    while len(chars) < CSRF_SECRET_LENGTH:
        chars.extend(
            CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)]
            for byte in secrets.token_bytes(CSRF_SECRET_LENGTH * 2)
            if byte < _UNBIASED_LIMIT
        )
    return "".join(chars[:CSRF_SECRET_LENGTH])


def _masked_token(secret):
    """The token ``get_token`` would render for ``secret``: a fresh mask, then the secret
    shifted by it (Django's ``_mask_cipher_secret``; tests check Django accepts it)."""
    mask = _random_csrf_string()
    size = len(CSRF_ALLOWED_CHARS)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_CHAR_INDEX[s] + _CHAR_INDEX[m]) % size]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


def fill_csrf_tokens(request, response, body):
    """Put a token for this reader where the stored body has placeholders, as
    CsrfViewMiddleware would: from their CSRF cookie, or a new one it sets."""
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if not _CSRF_SECRET.fullmatch(secret):
        secret = _random_csrf_string()
    response.set_cookie(
        settings.CSRF_COOKIE_NAME,
        secret,
        max_age=settings.CSRF_COOKIE_AGE,
        domain=settings.CSRF_COOKIE_DOMAIN,
        path=settings.CSRF_COOKIE_PATH,
        secure=settings.CSRF_COOKIE_SECURE,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )
    return body.replace(CSRF_PLACEHOLDER, _masked_token(secret).encode())


class PageCacheMiddleware:
    """Answers anonymous readers from the page cache and stores what may be reused.

    Sits after SecurityMiddleware and WhiteNoise and before sessions, CSRF and
    authentication, so a hit costs a few cache reads and nothing else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_enabled() or not request_may_use_cache(request):
            return self.get_response(request)

        digest = url_digest(request)
        if digest is None:
            response = self.get_response(request)
            response["X-Cache"] = "BYPASS"
            stats["bypass"] += 1
            return response

        # The generation is read before rendering: if a publish lands meanwhile, what
        # this request stores goes under the old generation, where nobody looks.
        try:
            generation, entry = lookup(digest)
        except Exception:
            # The cache is down: readers still get the page, rendered.
            logger.warning("page cache unavailable, rendering %s", request.path, exc_info=True)
            stats["error"] += 1
            return self.get_response(request)
        if entry is not None:
            stats["hit"] += 1
            return self._response_from(request, entry)

        stats["miss"] += 1
        key = entry_key(generation, digest)
        request._page_cache_key = key
        response = self.get_response(request)
        page = getattr(request, "_page_cache_page", None)
        if page is not None and request.method == "GET" and response_is_cacheable(request, response):
            body = template_csrf_tokens(request, response)
            if body is not None:
                page_id, version = page
                try:
                    _cache().set(key, self._entry_from(response, body, page_id, version), _timeout())
                except Exception:
                    logger.warning("page cache could not store page %s", page_id, exc_info=True)
                else:
                    stats["store"] += 1
                    logger.debug("page cache stored page %s", page_id)
        response["X-Cache"] = "MISS"
        return response

    @staticmethod
    def _entry_from(response, body, page_id, version):
        return {
            "page_id": page_id,
            "page_version": version,
            "status": response.status_code,
            # Cookies are not headers here: the reader's own CSRF cookie is set on each hit.
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("x-cache", "content-length")
            ],
            "body": body,
            "csrf": settings.CSRF_COOKIE_NAME in response.cookies,
            "stored_at": time.time(),
        }

    @staticmethod
    def _response_from(request, entry):
        response = HttpResponse(status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        body = entry["body"]
        if entry["csrf"]:
            body = fill_csrf_tokens(request, response, body)
        response.content = body
        response["Content-Length"] = str(len(body))
        response["X-Cache"] = "HIT"
        return response
