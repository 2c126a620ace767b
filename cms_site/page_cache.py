"""The site's own shared cache for anonymous readers: Varnish's rules, inside the app.

For a site on one server (or a few sharing Redis) with no CDN or Varnish in front, this
middleware plays that role from Django's cache framework, following the same HTTP rules
any shared cache does, so what is cached is decided by the apps that render responses
(``treatment_pages.caching``), never by lists in the settings:

* **Lookup** (before sessions, CSRF and authentication, so a hit skips them): GET or
  HEAD, no ``Authorization``, no session or messages cookie (those pass, as Varnish's
  ``deploy/varnish/clinic.vcl`` does), no query parameter other than campaign tracking.
  Other cookies (a voter's, a CSRF cookie) do not matter: a public page is by contract
  the same for every reader.
* **Store**: a 200 GET response whose ``Cache-Control`` says ``public`` with an
  ``s-maxage`` (kept that long), that sets no cookie and uses no CSP nonce.
* **Purge**: :class:`PageCacheBackend` is a ``wagtail.contrib.frontend_cache`` backend,
  so the purges that reach a CDN or Varnish (``cms_site.signals``) reach this cache too.
  A purge bumps a version number per URL path rather than deleting: the version is read
  before rendering, so a page rendered while a publish commits is stored under the old
  version, where nobody looks.

Responses say ``X-Cache: HIT``, ``MISS`` or ``BYPASS``; ``stats`` counts them per process.
"""

import hashlib
import logging
import time
from collections import Counter
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, get_max_age
from wagtail.contrib.frontend_cache.backends.base import BaseBackend

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version:{}"
ENTRY_KEY = "pagecache:entry:{}"

# Query parameters that never change what a page shows (campaign tracking); deploy/varnish strips the same.
IGNORED_QUERY_PARAMETERS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga"})
IGNORED_QUERY_PREFIXES = ("utm_",)

stats = Counter()


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def is_enabled():
    return getattr(settings, "PAGE_CACHE_IN_APP", True) and getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def version_key(path):
    return VERSION_KEY.format(_digest(path))


def entry_key(host, path):
    return ENTRY_KEY.format(_digest(f"{host}{path}"))


def purge_paths(paths):
    """Retire the cached copies of these URL paths on every host. Never raises."""
    cache = _cache()
    try:
        for path in set(paths):
            key = version_key(path)
            try:
                cache.incr(key)
            except ValueError:
                # Missing: start from the clock, later than any value it had before.
                cache.set(key, time.time_ns() // 1000, timeout=None)
    except Exception:
        logger.exception("page cache purge failed: pages may be stale for up to PAGE_CACHE_SECONDS")
        return
    stats["purge"] += 1


class PageCacheBackend(BaseBackend):
    """``WAGTAILFRONTENDCACHE`` backend purging this in-app cache (every host, by path)."""

    def purge(self, url):
        purge_paths([urlsplit(url).path])

    def purge_batch(self, urls):
        purge_paths([urlsplit(url).path for url in urls])


def request_may_use_cache(request):
    """Anonymous, idempotent, no credentials: the request Varnish would look up too."""
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in cookies
    )


def query_is_tracking_only(request):
    for name, _value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True):
        if name not in IGNORED_QUERY_PARAMETERS and not name.startswith(IGNORED_QUERY_PREFIXES):
            return False
    return True


def _cache_control(response):
    return {part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", "")) if part}


def shared_max_age(response):
    """Seconds a shared cache may keep ``response`` by its own headers (0: not at all)."""
    directives = _cache_control(response)
    if "public" not in directives or directives & {"private", "no-store", "no-cache"}:
        return 0
    for directive in directives:
        name, _, value = directive.partition("=")
        if name == "s-maxage" and value.isdigit():
            return int(value)
    return get_max_age(response) or 0


def drop_cookie_from_vary(response):
    """A public response is the same whatever the cookies (the app's contract); Django's
    session middleware adds ``Vary: Cookie`` whenever a template looked at ``request.user``,
    which would make every reader's cookies a separate variant in any cache."""
    vary = [v.strip() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()]
    kept = [v for v in vary if v.lower() != "cookie"]
    if len(kept) != len(vary):
        if kept:
            response["Vary"] = ", ".join(kept)
        else:
            del response["Vary"]


def storable(response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return 0
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", ""))}
    if "*" in vary or "authorization" in vary:
        return 0
    # A CSP nonce is per response: a stored copy would hand every reader the same one.
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return 0
    return shared_max_age(response)


class PageCacheMiddleware:
    """Answers anonymous readers from the cache and stores what the apps marked public.

    Sits after SecurityMiddleware and WhiteNoise, before sessions, CSRF and authentication.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        anonymous = request_may_use_cache(request)
        if not (anonymous and is_enabled()):
            response = self.get_response(request)
            if anonymous and shared_max_age(response):
                drop_cookie_from_vary(response)
            return response
        if not query_is_tracking_only(request):
            # Any other parameter could change the page, or flood the cache with variants.
            response = self.get_response(request)
            response["X-Cache"] = "BYPASS"
            stats["bypass"] += 1
            return response

        host, path = request.get_host(), request.path
        vkey, ekey = version_key(path), entry_key(host, path)
        try:
            found = _cache().get_many([vkey, ekey])
        except Exception:
            logger.warning("page cache unavailable, rendering %s", path, exc_info=True)
            stats["error"] += 1
            return self.get_response(request)
        version, entry = found.get(vkey), found.get(ekey)
        if entry is not None and version is not None and entry["version"] == version:
            stats["hit"] += 1
            return self._response_from(entry)

        stats["miss"] += 1
        if version is None:
            version = self._start_version(vkey)
        response = self.get_response(request)
        seconds = storable(response) if request.method == "GET" else 0
        if seconds:
            drop_cookie_from_vary(response)
            if version is not None:
                try:
                    _cache().set(ekey, self._entry_from(response, version), seconds)
                except Exception:
                    logger.warning("page cache could not store %s", path, exc_info=True)
                else:
                    stats["store"] += 1
        response["X-Cache"] = "MISS"
        return response

    @staticmethod
    def _start_version(key):
        try:
            cache = _cache()
            cache.add(key, time.time_ns() // 1000, timeout=None)
            return cache.get(key)
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
            return None

    @staticmethod
    def _entry_from(response, version):
        return {
            "version": version,
            "status": response.status_code,
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in ("x-cache", "content-length", "x-request-id")
            ],
            "body": response.content,
        }

    @staticmethod
    def _response_from(entry):
        response = HttpResponse(entry["body"], status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response["Content-Length"] = str(len(entry["body"]))
        response["X-Cache"] = "HIT"
        return response
