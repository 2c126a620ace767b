"""Purges carry the token the project's VCL requires (treatment_pages.caching.frontend_cache.TokenHTTPBackend)."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured

from treatment_pages.caching.frontend_cache import TokenHTTPBackend


@pytest.fixture
def cache_server():
    """A loopback server answering PURGE as Varnish would, recording what it was sent."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 - the HTTP method's name
            seen.append((self.path, dict(self.headers.items())))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


def test_a_purge_carries_the_token_and_the_pages_host(cache_server):
    location, seen = cache_server
    backend = TokenHTTPBackend({"LOCATION": location, "PURGE_TOKEN": "t" * 40})

    backend.purge("https://clinic.example/treatments/mesotherapy/?page=2")

    ((path, headers),) = seen
    assert path == "/treatments/mesotherapy/?page=2"
    assert headers["X-Purge-Token"] == "t" * 40
    assert headers["Host"] == "clinic.example"


def test_the_header_name_may_be_changed(cache_server):
    location, seen = cache_server
    TokenHTTPBackend({"LOCATION": location, "PURGE_TOKEN": "s" * 40, "HEADER": "X-Cache-Key"}).purge(
        "https://clinic.example/"
    )

    assert seen[0][1]["X-Cache-Key"] == "s" * 40
    assert "X-Purge-Token" not in seen[0][1]


@pytest.mark.parametrize("token", [None, ""])
def test_without_a_token_the_backend_refuses_to_be_configured(token):
    params = {"LOCATION": "http://127.0.0.1:6081"}
    if token is not None:
        params["PURGE_TOKEN"] = token

    with pytest.raises(ImproperlyConfigured, match="PURGE_TOKEN"):
        TokenHTTPBackend(params)
