"""Pages behind real Varnish with the project's VCL: no cheap way around the cache.

A made-up session cookie, other cookies and unknown query parameters are all answered from
the cache, without the article being rendered again (``TreatmentPage.serve`` is counted in
the live server, which runs in this process); HTML and JSON leave Varnish gzipped; a vote
retires only the pages that show it. Needs ``varnishd`` (Debian's ``varnish``): skipped
without it locally, a failure in CI. Varnish listens on a free loopback port and keeps its
files in a scratch directory.
"""

import gzip
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from tests.conftest import IN_CI
from tests.factories import UserFactory
from treatment_pages.models import TreatmentPage

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PROJECT_VCL = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "clinic.vcl"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def varnish(live_server, settings, demo_site):
    """Base URL of varnishd (project VCL) in front of the live server, which purges it."""
    varnishd = shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if os.path.exists("/usr/sbin/varnishd") else None
    )
    if varnishd is None:
        message = "the shared-cache suite needs varnishd (Debian's varnish package)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    token = secrets.token_hex(24)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings.PAGE_CACHE_SECONDS = 600
    settings.WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "treatment_pages.caching.frontend_cache.TokenHTTPBackend",
            "LOCATION": base,
            "PURGE_TOKEN": token,
        }
    }
    settings.RATINGS_VOTE_RATE = "1000/m"
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 0
    workdir = Path(tempfile.mkdtemp(prefix="clinic-page-cache-"))
    workdir.chmod(0o755)  # varnishd's unprivileged compiler reads it
    vcl = workdir / "test.vcl"
    text = PROJECT_VCL.read_text()
    assert '.port = "8000";' in text
    vcl.write_text(text.replace('.port = "8000";', f'.port = "{urlsplit(live_server.url).port}";'))
    vcl.chmod(0o644)
    log = (workdir / "varnishd.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - fixed command
        [varnishd, "-F", "-n", str(workdir / "n"), "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
        + ["-s", "malloc,32m", "-T", "none", "-p", "thread_pool_min=10"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "VARNISH_PURGE_TOKEN": token},
    )
    try:
        for _ in range(150):
            if process.poll() is not None:
                pytest.fail(f"varnishd exited: {(workdir / 'varnishd.log').read_text()[-2000:]}")
            try:
                if requests.get(f"{base}/robots.txt", timeout=10).status_code != 503:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("varnishd did not answer")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


def is_hit(response):
    """Varnish names the request's and the cached object's transactions on a hit."""
    return len(response.headers.get("X-Varnish", "").split()) == 2


@pytest.fixture
def renders():
    """How many times the live server rendered an article."""
    with mock.patch.object(TreatmentPage, "serve", autospec=True, side_effect=TreatmentPage.serve) as serve:
        yield serve


def cached(base, path):
    """``path`` read until the cache answers it."""
    for _ in range(3):
        response = requests.get(base + path, timeout=15)
        assert response.status_code == 200, response.status_code
        if is_hit(response):
            return response
    pytest.fail(f"{path} never came from the cache: {response.headers}")


def test_made_up_cookies_and_query_parameters_are_answered_from_the_cache(varnish, renders):
    article = TreatmentPage.objects.get(slug="mesotherapy")
    reference = cached(varnish, article.url)
    renders.reset_mock()

    attempts = [
        requests.get(varnish + article.url, cookies={"sessionid": "x"}, timeout=15),
        requests.get(varnish + article.url, cookies={"sessionid": secrets.token_hex(16)}, timeout=15),
        requests.get(varnish + article.url, cookies={"theme": "dark", "csrftoken": "a" * 32}, timeout=15),
        requests.get(varnish + article.url, cookies={"messages": "forged"}, timeout=15),
        requests.get(varnish + article.url + f"?nocache={secrets.token_hex(8)}", timeout=15),
        requests.get(varnish + article.url + "?utm_source=mail&page=2&q=x", timeout=15),
    ]

    for response in attempts:
        assert response.status_code == 200, response.request.headers
        assert is_hit(response), response.request.url
        assert response.content == reference.content
    assert renders.call_count == 0
    # The browser is told to drop the session cookie nobody has.
    assert "sessionid=;" in attempts[0].headers["Set-Cookie"]
    assert "Max-Age=0" in attempts[0].headers["Set-Cookie"]


def test_a_signed_in_editor_is_never_served_the_cached_copy(varnish):
    article = TreatmentPage.objects.get(slug="mesotherapy")
    cached(varnish, article.url)
    editor = Client()
    editor.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = requests.get(
        varnish + article.url, cookies={"sessionid": editor.cookies["sessionid"].value}, timeout=15
    )

    assert response.status_code == 200
    assert not is_hit(response)
    assert "wagtail-userbar" in response.text
    assert "Set-Cookie" not in response.headers or "sessionid=;" not in response.headers["Set-Cookie"]


def test_search_keeps_the_parameters_it_reads(varnish):
    matching = requests.get(varnish + "/search/?q=mesotherapy&utm_source=x&junk=1", timeout=15)
    nothing = requests.get(varnish + "/search/?q=zzzznotaword", timeout=15)

    assert (matching.status_code, nothing.status_code) == (200, 200)
    assert "/treatments/mesotherapy/" in matching.text
    assert "/treatments/mesotherapy/" not in nothing.text


def test_html_and_json_leave_varnish_gzipped(varnish):
    article = TreatmentPage.objects.get(slug="mesotherapy")
    for path, at_most in ((article.url, 0.5), ("/api/v3/navigation/", 1.0)):
        for _ in range(2):  # a miss, then a hit: both compressed
            response = requests.get(
                varnish + path, headers={"Accept-Encoding": "gzip"}, timeout=15, stream=True
            )
            assert response.status_code == 200
            assert response.headers.get("Content-Encoding") == "gzip", (path, response.headers)
            raw = response.raw.read(decode_content=False)
            body = gzip.decompress(raw)
            assert len(raw) < len(body) * at_most, (path, len(raw), len(body))
    # A client that cannot take gzip still gets the page.
    plain = requests.get(varnish + article.url, headers={"Accept-Encoding": "identity"}, timeout=15)
    assert "Content-Encoding" not in plain.headers
    assert article.title in plain.text


def test_a_vote_retires_only_the_pages_that_show_it(varnish, settings):
    settings.TREATMENT_PAGES_RATING_PURGE_SECONDS = 0  # the suite's task backend cannot defer anyway
    article = TreatmentPage.objects.get(slug="mesotherapy")
    other = TreatmentPage.objects.live().exclude(pk=article.pk).first()
    index, home = article.get_parent(), article.get_parent().get_parent()
    for page in (article, other, index, home):
        cached(varnish, page.url)

    voted = requests.post(f"{varnish}/api/v3/ratings/{article.pk}/votes/", json={"score": 4}, timeout=15)
    assert voted.status_code == 200, voted.text

    after = {page.url: requests.get(varnish + page.url, timeout=15) for page in (article, other, index, home)}
    assert not is_hit(after[article.url]) and not is_hit(after[index.url])
    assert "4.0 out of 5" in after[article.url].text
    assert is_hit(after[other.url]) and is_hit(after[home.url])
