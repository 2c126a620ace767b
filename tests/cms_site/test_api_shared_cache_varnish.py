"""The whole v3 API behind real Varnish, with several clients: nobody ever gets another's answer.

Run twice: behind the project's VCL (deploy/varnish/clinic.vcl) and behind a plain one
that names only the backend, so Varnish's builtin rules decide (what a host, a CDN or
a proxy left at its defaults does). Either way, what the app marks private stays
private and what it marks public holds nothing per client:

- two, three clients behind the shared cache each get their own form token; each
  request they send (after the token's ``wait_seconds``, the production minimum) is
  stored as *not* spam;
- a reader's own score (``X-Voter-Token``) never reaches another reader, nor the
  anonymous answer a voter;
- a draft (``?version=draft`` with an editor's token, ``/api/v3/preview/`` with a
  preview token) never reaches anyone else, and the live page stays live.

Any cached answer (Varnish's ``X-Varnish`` names two transactions on a hit) is checked
to hold no token, no score and no draft. Needs ``varnishd`` (Debian's ``varnish``):
skipped without it locally, a failure in CI. Varnish listens on a free loopback port
(pytest-xdist may run both tests at once) and keeps its files in a scratch directory; the
database is the test run's own.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from lead_forms.models import AppointmentFormPage, AppointmentSubmission
from tests.conftest import IN_CI
from tests.factories import UserFactory, api_token_for
from tests.lead_forms.conftest import VALID_DATA

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PROJECT_VCL = ROOT / "deploy" / "varnish" / "clinic.vcl"
KINDS = ["project VCL", "builtin VCL"]
DRAFT_TITLE = "Mesotherapy (unpublished draft)"
PREVIEW_TITLE = "Mesotherapy (editor's preview)"
ANSWERS = {**VALID_DATA, "receive_our_free_newsletter": True}
PRODUCTION_MIN_SECONDS = 3.0


def varnishd_path():
    return shutil.which("varnishd") or (
        "/usr/sbin/varnishd" if os.path.exists("/usr/sbin/varnishd") else None
    )


def vcl_for(kind, backend_port):
    """The VCL text: the project's with its backend pointed at the test server, or a bare backend."""
    if kind == "project VCL":
        text = PROJECT_VCL.read_text()
        # As benchmarks/shared_cache.sh does: only the backend's port changes.
        assert '.port = "8000";' in text
        return text.replace('.port = "8000";', f'.port = "{backend_port}";')
    return f'vcl 4.1;\nbackend default {{ .host = "127.0.0.1"; .port = "{backend_port}"; }}\n'


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=KINDS)
def varnish(request, live_server, settings):
    """``(base URL, kind)`` of varnishd in front of the live test server, with the VCL under test."""
    varnishd = varnishd_path()
    if varnishd is None:
        message = "the shared-cache suite needs varnishd (Debian's varnish package)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    kind = request.param
    # Everything arrives from Varnish's 127.0.0.1: the per-client limits are tested elsewhere.
    settings.LEAD_FORMS_RATE_LIMIT = "1000/m"
    settings.RATINGS_VOTE_RATE = "1000/m"
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 0
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = PRODUCTION_MIN_SECONDS
    workdir = Path(tempfile.mkdtemp(prefix="clinic-api-cache-"))
    workdir.chmod(0o755)  # varnishd's unprivileged compiler reads it
    vcl = workdir / "test.vcl"
    vcl.write_text(vcl_for(kind, urlsplit(live_server.url).port))
    vcl.chmod(0o644)
    port = free_port()
    log = (workdir / "varnishd.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - fixed command
        [varnishd, "-F", "-n", str(workdir / "n"), "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
        + ["-s", "malloc,32m", "-T", "none", "-p", "thread_pool_min=10"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if process.poll() is not None:
                break
            try:
                # Any answer but Varnish's own 503 (backend unreachable) means both are up.
                if requests.get(f"{base}/api/v3/navigation/", timeout=10).status_code != 503:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        else:
            pytest.fail("varnishd did not answer")
        if process.poll() is not None:
            log.close()
            pytest.fail(f"varnishd exited: {(workdir / 'varnishd.log').read_text()[-2000:]}")
        yield base, kind
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


class CacheClient:
    """One client (a browser, an app) behind the shared cache: its own cookies and tokens."""

    def __init__(self, base, name, cookies=None):
        self.base, self.name = base, name
        self.session = requests.Session()
        self.session.cookies.update(cookies or {})
        self.seen = []

    def request(self, method, path, **kwargs):
        response = self.session.request(method, self.base + path, timeout=15, **kwargs)
        self.seen.append(response)
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.request("POST", path, json=body, **kwargs)


def is_hit(response):
    """Varnish names the request's and the cached object's transactions on a hit."""
    return len(response.headers.get("X-Varnish", "").split()) == 2


def directives(response):
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",") if part.strip()}


def assert_nothing_personal_in_hits(clients):
    """No answer any client got from the cache holds a token, a reader's score or a draft."""
    for client in clients:
        for response in client.seen:
            if not is_hit(response):
                continue
            text = response.text
            assert "form_token" not in text, (client.name, response.url)
            assert DRAFT_TITLE not in text and PREVIEW_TITLE not in text, (client.name, response.url)
            if response.headers.get("Content-Type", "").startswith("application/json"):
                data = response.json()
                assert not isinstance(data, dict) or data.get("your_score") is None, (
                    client.name,
                    response.url,
                )


def test_clients_behind_a_shared_cache_never_see_each_others_token_score_or_draft(varnish, demo_site):
    base, kind = varnish
    form_page = AppointmentFormPage.objects.get()
    from treatment_pages.models import TreatmentPage

    article = TreatmentPage.objects.get(slug="mesotherapy")
    clients = [
        CacheClient(base, "anonymous"),
        CacheClient(base, "with a CSRF cookie", {"csrftoken": "a" * 32}),
        CacheClient(base, "with another cookie", {"theme": "dark"}),
    ]

    # --- Forms: one public definition, a private token each, and no request stored as spam.
    definitions = [client.get(f"/api/v3/forms/{form_page.pk}/") for client in clients for _ in range(2)]
    assert {response.status_code for response in definitions} == {200}
    assert len({response.content for response in definitions}) == 1
    assert definitions[0].json()["time_trap"]["min_seconds"] == PRODUCTION_MIN_SECONDS
    if kind == "project VCL":
        # The definition is the same for everyone: the shared cache does serve it.
        assert any(is_hit(response) for response in definitions)
    issued = []
    for client in clients:
        answer = client.post(f"/api/v3/forms/{form_page.pk}/token/")
        assert answer.status_code == 201, answer.text
        assert {"private", "no-store"} <= directives(answer)
        assert not is_hit(answer)
        issued.append(answer.json())
    tokens = [token["form_token"] for token in issued]
    assert len(set(tokens)) == len(clients)
    # A browser waits as long as the token says, as a person filling the form in would.
    time.sleep(max(token["wait_seconds"] for token in issued) + 0.2)
    references = []
    for client, token in zip(clients, tokens, strict=True):
        # Three people, three requests: the same answers again would be a repeat of the first.
        answers = {**ANSWERS, "email": f"{secrets.token_hex(4)}@example.org"}
        sent = client.post(
            f"/api/v3/forms/{form_page.pk}/submissions/",
            {"answers": answers, "form_token": token, "honeypot": ""},
        )
        assert sent.status_code == 201, sent.text
        references.append(sent.json()["reference"])
    stored = {s.reference: s for s in AppointmentSubmission.objects.filter(reference__in=references)}
    assert len(stored) == len(clients)
    assert [(stored[r].is_spam, stored[r].spam_reason) for r in references] == [(False, "")] * len(clients)

    # --- Ratings: the anonymous summary is shared; each voter's own score stays theirs.
    scores = {}
    for client, score in zip(clients[:2], (5, 2), strict=True):
        voted = client.post(f"/api/v3/ratings/{article.pk}/votes/", {"score": score})
        assert voted.status_code == 200, voted.text
        assert not is_hit(voted)
        scores[client.name] = (voted.json()["voter_token"], score)
    # A reader without cookies: even Varnish's builtin rules cache what it is answered.
    reader = CacheClient(base, "reader")
    clients.append(reader)
    for _ in range(2):
        anonymous = reader.get(f"/api/v3/ratings/{article.pk}/")
        assert anonymous.status_code == 200
        assert anonymous.json()["your_score"] is None
        assert "x-voter-token" in anonymous.headers.get("Vary", "").lower()
        for client in clients[:2]:
            token, score = scores[client.name]
            own = client.get(f"/api/v3/ratings/{article.pk}/", headers={"X-Voter-Token": token})
            assert own.status_code == 200
            assert own.json()["your_score"] == score, (kind, client.name)
            assert not is_hit(own)
            assert {"private", "no-store"} <= directives(own)
    # Each voter's score, and only theirs, once more after the anonymous answer was cached.
    again = clients[0].get(
        f"/api/v3/ratings/{article.pk}/", headers={"X-Voter-Token": scores[clients[1].name][0]}
    )
    assert again.json()["your_score"] == 2

    # --- Drafts: an editor's token reads the draft; nobody else does, the live page stays live.
    article.title = DRAFT_TITLE
    article.save_revision()
    _token, key = api_token_for(
        UserFactory(username=f"editor-{kind.split()[0]}", is_staff=True, is_superuser=True)
    )
    editor = CacheClient(base, "editor")
    draft_url = f"/api/v3/pages/{article.pk}/?version=draft"
    live_url = f"/api/v3/pages/{article.pk}/"
    for _ in range(2):
        draft = editor.get(draft_url, headers={"Authorization": f"Bearer {key}"})
        assert draft.status_code == 200 and draft.json()["title"] == DRAFT_TITLE
        assert {"private", "no-store"} <= directives(draft)
        for client in clients:
            refused = client.get(draft_url)
            assert refused.status_code == 401, (kind, client.name, refused.text[:200])
            live = client.get(live_url)
            assert live.status_code == 200 and live.json()["title"] == "Mesotherapy", (kind, client.name)

    # --- Preview: the preview link's token opens the editor's preview; no one else's request does.
    article.title = PREVIEW_TITLE
    preview = article.create_page_preview()
    query = {"content_type": "treatment_pages.treatmentpage", "token": preview.token}
    previewer = CacheClient(base, "front end preview")
    for _ in range(2):
        seen = previewer.get("/api/v3/preview/", params=query)
        assert seen.status_code == 200 and seen.json()["title"] == PREVIEW_TITLE
        assert {"private", "no-store"} <= directives(seen) and not is_hit(seen)
    for client in clients:
        forged = client.get("/api/v3/preview/", params={**query, "token": preview.token[:-1] + "x"})
        assert forged.status_code == 404
        assert PREVIEW_TITLE not in forged.text

    assert_nothing_personal_in_hits([*clients, editor, previewer])


def test_the_old_design_would_have_failed_here(varnish, demo_site):
    """The suite can fail: a per-client answer marked public is shared by Varnish, tokens and all.

    Proved on the page the project keeps public on purpose: the same bytes reach every
    client from the cache, so a token in it would reach every client too.
    """
    base, kind = varnish
    form_page = AppointmentFormPage.objects.get()
    first, second = CacheClient(base, "first"), CacheClient(base, "second")

    first.get(f"/api/v3/forms/{form_page.pk}/")
    seen = second.get(f"/api/v3/forms/{form_page.pk}/")

    assert seen.status_code == 200
    assert is_hit(seen), f"{kind}: a public answer is shared (X-Varnish {seen.headers.get('X-Varnish')!r})"
    assert json.loads(seen.content) == json.loads(first.seen[0].content)
