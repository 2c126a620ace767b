"""The example front end (examples/frontend): types generated from the live schema, type-checked, run.

What a front-end team does: generate TypeScript types from /api/v3/openapi.json with
openapi-typescript, compile with ``strict`` (no casts, no ``any``: a block type, page
type, form answer type or webhook event the client does not handle fails compilation),
then find, narrow, revalidate, read, list, submit and vote.

The appointment request goes through the production time trap (3 s, not the test
settings' 0): the example waits as long as its token says, so what it sends is stored
as a patient's request, not as suspected spam behind a 201.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from wagtail.contrib.redirects.models import Redirect
from wagtail_factories import ImageFactory

from lead_forms.models import AppointmentSubmission
from tests.conftest import IN_CI

pytestmark = [pytest.mark.django_db(transaction=True)]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "frontend"


@pytest.fixture
def example_tools():
    if shutil.which("node") is None or not (EXAMPLE / "node_modules" / ".bin" / "tsc").exists():
        message = "the example front end needs node and `npm ci` in examples/frontend (make frontend-deps)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def run(*command, env=None):
    result = subprocess.run(  # noqa: S603 - fixed commands from this test
        command, cwd=EXAMPLE, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.slow
def test_typescript_client_built_from_the_schema_reads_lists_submits_and_votes(
    example_tools, live_server, mesotherapy, tmp_path, settings
):
    settings.LEAD_FORMS_TIME_TRAP_MIN_SECONDS = 3  # production's minimum (lead_forms/conf.py)
    Redirect.objects.create(old_path="/old-mesotherapy", redirect_page=mesotherapy)
    mesotherapy.hero_image = ImageFactory(width=2000, height=1000)
    mesotherapy.hero_image_alt = "A treatment room"
    mesotherapy.save_revision().publish()
    env = {
        "API_BASE_URL": live_server.url,
        "OUTPUT_HTML": str(tmp_path / "article.html"),
        "OLD_PATH": "/old-mesotherapy/",  # as a browser has it, trailing slash included
    }

    requests_before = AppointmentSubmission.objects.count()
    run("npm", "run", "--silent", "types", env=env)
    # One compile: tsc exits non-zero on any type error, so a separate --noEmit check only repeats it.
    # The installed compiler itself (`npm run build` runs the same): npx's own start took seconds.
    run(str(EXAMPLE / "node_modules" / ".bin" / "tsc"))
    summary = json.loads(run("node", "dist/main.js", env=env).strip().splitlines()[-1])

    assert summary["article"] == "Mesotherapy"
    assert summary["steps"] == [6, 0, 0, 4, 0]
    assert set(summary["block_types"]) >= {"heading", "paragraph", "image", "facts_list", "prevention_steps"}
    assert "Mesotherapy: Not rated yet (0 out of 5)" in summary["listing"]
    assert summary["reference"].startswith("AR-")
    # Sent after the token's wait, the request is a patient's, not suspected spam.
    stored = AppointmentSubmission.objects.get(reference=summary["reference"])
    assert (stored.is_spam, stored.spam_reason) == (False, "")
    assert summary["submitted_status"] == 201
    assert summary["waited_seconds"] == 3
    # The mistake came back as a 422 naming the field; the corrected request was stored once,
    # and sending it again (a double click) answered 200 with the same reference.
    assert set(summary["corrected"]) == {"email"}
    assert summary["resend"] == {"status": 200, "reference": summary["reference"]}
    assert AppointmentSubmission.objects.count() == requests_before + 1
    assert summary["vote"] == "5.0 out of 5, 1 rating"
    # Read back with the voter token (a typed header): the reader's own score.
    assert summary["your_score"] == 5
    # pages/find answered the page itself, narrowed by its `type` to an article.
    assert summary["page"].startswith("article with ")
    # The ETag sent back as If-None-Match: the copy is current.
    assert summary["etag_revalidated"] == 304
    # redirects/find took the browser's path (trailing slash) and answered the redirect itself.
    assert summary["old_url"].endswith("/treatments/mesotherapy/ (" + summary["page"] + ")")
    assert summary["webhook"] == {"rebuild": ["/treatments/mesotherapy/"], "remove": []}
    html = (tmp_path / "article.html").read_text()
    assert html.count("<ol>") == 2 and "<ul><li>Fill half your plate" in html
    # The page is whole: the head as the CMS page has it, the menu, the byline, the references
    # its citations link to, the rating; and it searched and walked every public path.
    assert summary["json_ld"] == ["MedicalWebPage", "FAQPage"]
    assert f'<link rel="canonical" href="{mesotherapy.full_url}">' in html
    assert '<nav aria-label="Main">' in html and ">Treatments</a>" in html
    assert summary["citations"] > 0 and '<a href="#ref-1">[1]</a>' in html and '<li id="ref-1">' in html
    assert 'class="byline"' in html and 'class="rating"' in html
    assert '<source type="image/avif" srcset="http://' in html and 'alt="A treatment room"' in html
    assert summary["search"][0] == "Mesotherapy"
    public_paths = summary["public_paths"]
    assert len(public_paths) == len(set(public_paths)) > 2 and "/treatments/mesotherapy/" in public_paths
