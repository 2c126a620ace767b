"""Fixtures of the reference site's shared-cache tests."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def shared_caching(settings):
    """The production defaults with a frontend cache configured (the test settings switch
    shared-cache headers off). Nothing listens there: tests that look at purges use ``purge_recorder``."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",  # the discard port
        }
    }


class PurgeRecorder(BaseHTTPRequestHandler):
    """Stands in for Varnish: answers every PURGE with 200 and remembers it."""

    def do_PURGE(self):  # noqa: N802 - the HTTP method's name
        self.server.received.append((self.command, self.headers["Host"], self.path))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_recorder(settings, shared_caching):
    """A loopback HTTP server configured as the frontend cache (FRONTEND_CACHE_PURGE_URL)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), PurgeRecorder)
    server.received = []
    # shutdown() waits for the serving loop's next poll: 0.05 s rather than the default 0.5 s.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_port}",
        },
    }
    yield server
    server.shutdown()
    server.server_close()


def purged_paths(server):
    return {path for method, _host, path in server.received if method == "PURGE"}
