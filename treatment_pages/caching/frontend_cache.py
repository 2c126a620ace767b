"""A purge backend for Varnish (or any HTTP cache) that takes purges only with a token.

Wagtail's ``HTTPBackend`` sends ``PURGE`` with a ``Host`` and a user agent and nothing
else, so a cache can only check the sender's address, which every reader passes when a
TLS proxy runs on the same host. This backend is that one with one more header: the
``PURGE_TOKEN`` it is configured with, as ``X-Purge-Token`` (``HEADER`` to rename it), which
the project's VCL (deploy/varnish/clinic.vcl) compares with its own copy::

    WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "treatment_pages.caching.frontend_cache.TokenHTTPBackend",
            "LOCATION": "http://127.0.0.1:6081",
            "PURGE_TOKEN": os.environ["FRONTEND_CACHE_PURGE_TOKEN"],
        },
    }
"""

import logging
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

from django.core.exceptions import ImproperlyConfigured
from wagtail import __version__
from wagtail.contrib.frontend_cache.backends import HTTPBackend
from wagtail.contrib.frontend_cache.backends.http import PurgeRequest

logger = logging.getLogger("wagtail.frontendcache")


class TokenHTTPBackend(HTTPBackend):
    """``HTTPBackend`` whose purges carry a shared secret the cache checks."""

    def __init__(self, params):
        params = dict(params)
        self.purge_token = params.pop("PURGE_TOKEN", "") or ""
        self.token_header = params.pop("HEADER", "X-Purge-Token")
        if not self.purge_token:
            raise ImproperlyConfigured(
                "TokenHTTPBackend needs PURGE_TOKEN: the value the cache expects in "
                f"{self.token_header} (deploy/varnish/clinic.vcl reads VARNISH_PURGE_TOKEN)."
            )
        super().__init__(params)

    def purge(self, url):
        # HTTPBackend.purge builds its request inline with fixed headers: this is that
        # method with the token added (Wagtail offers no hook for extra headers).
        url_parsed = urlsplit(url)
        host = url_parsed.hostname
        if url_parsed.port:
            host += ":" + str(url_parsed.port)
        request = PurgeRequest(
            url=urlunsplit(
                [self.cache_scheme, self.cache_netloc, url_parsed.path, url_parsed.query, url_parsed.fragment]
            ),
            headers={
                "Host": host,
                "User-Agent": "Wagtail-frontendcache/" + __version__,
                self.token_header: self.purge_token,
            },
        )
        try:
            urlopen(request)  # noqa: S310 - the scheme comes from the configured LOCATION
        except HTTPError as e:
            logger.error("Couldn't purge '%s' from HTTP cache. HTTPError: %d %s", url, e.code, e.reason)
        except URLError as e:
            logger.error("Couldn't purge '%s' from HTTP cache. URLError: %s", url, e.reason)
