"""The site's own shared cache for anonymous readers: Varnish's rules, inside the app.

For a site on one server (or a few sharing Redis) with no CDN or Varnish in front, this
middleware plays that role from Django's cache framework, following the same HTTP rules
any shared cache does, so what is cached is decided by the apps that render responses
(``treatment_pages.caching.policy``), never by lists in the settings:

* **Lookup** (before sessions, CSRF and authentication, so a hit skips them): GET or
  HEAD, no ``Authorization``, no session or messages cookie (those pass, as Varnish's
  ``deploy/varnish/clinic.vcl`` does), no query parameter other than campaign tracking.
  Other cookies (a voter's, a CSRF cookie) do not matter: a public page is by contract
  the same for every reader.
* **Store**: a 200 GET response whose ``Cache-Control`` says ``public`` with an
  ``s-maxage`` (kept that long), that sets no cookie and uses no CSP nonce.
* **Purge**: :class:`PageCacheBackend` is a ``wagtail.contrib.frontend_cache`` backend,
  so the purges that reach a CDN or Varnish (``treatment_pages.caching.purging``) reach this cache
  too; it says ``purge_immediately``, so they reach it in the request's process right after
  the commit rather than through the task worker.
  A purge bumps a version number per URL path rather than deleting: the version is read
  before rendering, so a page rendered while a publish commits is stored under the old
  version, where nobody looks.

* **Copies in each process** (Redis only, ``PAGE_CACHE_LOCAL_BYTES``): an entry found in
  Redis is kept in the process too and answered from there, skipping the Redis round trip
  that is most of a hit's cost. A purge publishes the retired paths on a Redis channel
  that a thread in every process listens to, dropping their copies within milliseconds;
  while that thread is not subscribed (starting, Redis gone), no copy is served.

Responses say ``X-Cache: HIT``, ``MISS`` or ``BYPASS``; ``stats`` counts them per process.
"""

import hashlib
import json
import logging
import os
import threading
import time
from collections import Counter, OrderedDict
from urllib.parse import parse_qsl, urlsplit

import redis
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, get_max_age
from wagtail.contrib.frontend_cache.backends.base import BaseBackend

from treatment_pages.caching.policy import shared_cache_seconds

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version:{}"
ENTRY_KEY = "pagecache:entry:{}"

# Query parameters that never change what a page shows (campaign tracking); deploy/varnish strips the same.
IGNORED_QUERY_PARAMETERS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "_ga"})
IGNORED_QUERY_PREFIXES = ("utm_",)

stats = Counter()


def _alias():
    return getattr(settings, "PAGE_CACHE_ALIAS", "default")


def _cache():
    return caches[_alias()]


def is_enabled():
    return getattr(settings, "PAGE_CACHE_IN_APP", True) and shared_cache_seconds() > 0


def _digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def version_key(path):
    return VERSION_KEY.format(_digest(path))


def entry_key(host, path):
    return ENTRY_KEY.format(_digest(f"{host}{path}"))


def purge_paths(paths):
    """Retire the cached copies of these URL paths on every host. Never raises."""
    cache = _cache()
    keys = sorted({version_key(path) for path in paths})
    try:
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:
                # Missing: start from the clock, later than any value it had before.
                cache.set(key, time.time_ns() // 1000, timeout=None)
    except Exception:
        logger.exception("page cache purge failed: pages may be stale for up to PAGE_CACHE_SECONDS")
        return
    # Then the copies: this process's at once, the others' when the message reaches them.
    local_copies.drop(keys)
    if local_copies.enabled():
        try:
            local_copies.publish(keys)
        except Exception:
            logger.exception("page cache purge could not reach other processes' copies")
    stats["purge"] += 1


class LocalCopies:
    """This process's copies of Redis entries, dropped by purges published from any process.

    Served only while the listening thread is subscribed, and kept only if no purge
    message arrived between reading the entry from Redis and keeping it (``generation``):
    a copy can never outlive a purge this process has heard of. At most
    ``PAGE_CACHE_LOCAL_BYTES`` of bodies, least recently used dropped first.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.copies = OrderedDict()  # entry key -> (version key, entry)
        self.size = 0
        self.generation = 0
        self.subscribed = False
        self.listener_pid = None
        self.client = None
        self.stopping = threading.Event()

    @staticmethod
    def enabled():
        return getattr(settings, "PAGE_CACHE_LOCAL_BYTES", 0) > 0 and isinstance(_cache(), RedisCache)

    def channel(self):
        return _cache().make_key("pagecache:purged")

    def publish(self, version_keys):
        self._redis().publish(self.channel(), json.dumps(version_keys))

    def _redis(self):
        if self.client is None:
            location = settings.CACHES[_alias()]["LOCATION"]
            # Django takes a list of servers, or a comma-separated string: the first is written to.
            location = location[0] if isinstance(location, list | tuple) else location.split(",")[0]
            self.client = redis.Redis.from_url(
                location, socket_connect_timeout=2, socket_keepalive=True, health_check_interval=10
            )
        return self.client

    def ensure_listening(self):
        """Start this process's listening thread (after a fork, again in the child)."""
        if self.listener_pid == os.getpid():
            return
        with self.lock:
            if self.listener_pid == os.getpid():
                return
            self.listener_pid = os.getpid()
            self.client = None
            self.subscribed = False
            self._clear()
        threading.Thread(target=self._listen, name="page-cache-purges", daemon=True).start()

    def stop(self):
        """Stop listening (within a second) and serve no more copies."""
        self.stopping.set()

    def _listen(self):
        channel = self.channel()
        while not self.stopping.is_set():
            try:
                with self._redis().pubsub() as pubsub:
                    pubsub.subscribe(channel)
                    # Nothing is kept before Redis confirms the subscription.
                    confirmed = pubsub.get_message(timeout=5)
                    if confirmed is None or confirmed["type"] != "subscribe":
                        raise redis.ConnectionError(f"no confirmation of the subscription to {channel}")
                    with self.lock:
                        self.generation += 1
                        self.subscribed = True
                    while not self.stopping.is_set():
                        message = pubsub.get_message(timeout=1)
                        if message is not None and message["type"] == "message":
                            self.drop(json.loads(message["data"]))
            except Exception:
                logger.warning("page cache: not hearing purges, serving no local copies", exc_info=True)
            with self.lock:
                self.subscribed = False
                self._clear()
            self.stopping.wait(1)

    def get(self, entry_key):
        if not self.subscribed:
            return None
        with self.lock:
            found = self.copies.get(entry_key)
            if found is None:
                return None
            if found[1]["expires"] <= time.time():
                self._remove(entry_key)
                return None
            self.copies.move_to_end(entry_key)
            return found[1]

    def keep(self, entry_key, version_key, entry, generation):
        limit = getattr(settings, "PAGE_CACHE_LOCAL_BYTES", 0)
        if "expires" not in entry or len(entry["body"]) > limit:
            return
        with self.lock:
            if not self.subscribed or generation != self.generation:
                return
            self._remove(entry_key)
            self.copies[entry_key] = (version_key, entry)
            self.size += len(entry["body"])
            while self.size > limit:
                self._remove(next(iter(self.copies)))

    def drop(self, version_keys):
        version_keys = set(version_keys)
        with self.lock:
            self.generation += 1
            for entry_key in [key for key, (vkey, _) in self.copies.items() if vkey in version_keys]:
                self._remove(entry_key)

    def _clear(self):
        self.copies.clear()
        self.size = 0

    def _remove(self, entry_key):
        found = self.copies.pop(entry_key, None)
        if found is not None:
            self.size -= len(found[1]["body"])


local_copies = LocalCopies()


class PageCacheBackend(BaseBackend):
    """``WAGTAILFRONTENDCACHE`` backend purging this in-app cache (every host, by path)."""

    # A few cache commands: done right after the commit (treatment_pages.caching.purging), so a
    # one-server site shows a publish on the next request even with a task worker.
    purge_immediately = True

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
        use_local_copies = local_copies.enabled()
        if use_local_copies:
            local_copies.ensure_listening()
            entry = local_copies.get(ekey)
            if entry is not None:
                stats["hit"] += 1
                return self._response_from(entry)
            generation = local_copies.generation
        try:
            found = _cache().get_many([vkey, ekey])
        except Exception:
            logger.warning("page cache unavailable, rendering %s", path, exc_info=True)
            stats["error"] += 1
            return self.get_response(request)
        version, entry = found.get(vkey), found.get(ekey)
        if entry is not None and version is not None and entry["version"] == version:
            stats["hit"] += 1
            if use_local_copies:
                local_copies.keep(ekey, vkey, entry, generation)
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
                    _cache().set(ekey, self._entry_from(response, version, seconds), seconds)
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
    def _entry_from(response, version, seconds):
        return {
            "version": version,
            "expires": time.time() + seconds,
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
