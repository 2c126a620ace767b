"""Driver for .ci/plugin_proof.sh.

``check-wheel WHEEL``: the wheel holds the two apps (templates, static, migrations,
compiled translations) and nothing else. ``readme-block NAME``: print the README's
code block after ``<!-- plugin-proof:NAME -->``. ``apply PROJECT``: apply the README's
settings and URL blocks to a ``wagtail start`` project. ``exercise PROJECT``: run inside
the host's virtualenv; creates content through the ORM and drives the site through
Django's test client. Every failure raises (a non-zero exit with the reason).
"""

import importlib.util
import re
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _load_readme_reader():
    """tests/apps/readme.py, the one reader of the README's blocks (the apps' test hosts use it
    too), loaded from its file: with the repository on sys.path, ``exercise`` would import the
    apps from the checkout rather than from the wheel under proof."""
    spec = importlib.util.spec_from_file_location("readme_blocks", REPO / "tests" / "apps" / "readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_reader = _load_readme_reader()
readme_block, MissingBlock = _reader.readme_block, _reader.MissingBlock


class ProofFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise ProofFailed(message)


def check_wheel(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    expect(top == {"treatment_pages", "lead_forms"}, f"wheel holds {sorted(top)}, not just the two apps")
    for app in ("treatment_pages", "lead_forms"):
        for part in (
            "templates/",
            "static/",
            "migrations/0001_initial.py",
            "locale/es/LC_MESSAGES/django.mo",
        ):
            expect(any(n.startswith(f"{app}/{part}") for n in names), f"wheel lacks {app}/{part}")
    # Every concern's sub-package ships (setuptools finds packages by their __init__.py).
    for package in (
        "treatment_pages/articles",
        "treatment_pages/ratings",
        "treatment_pages/review",
        "treatment_pages/webhooks",
        "treatment_pages/caching",
        "treatment_pages/api",
        "lead_forms/submissions",
        "lead_forms/encryption",
        "lead_forms/inbox",
        "lead_forms/api",
        "lead_forms/staff_sign_in",
    ):
        expect(f"{package}/__init__.py" in names, f"wheel lacks the package {package}")
    expect(
        any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "wheel lacks LICENSE in its .dist-info"
    )
    print(f"wheel ok: {len(names)} files, packages {sorted(top)}")


def apply(project):
    project = Path(project)
    settings = project / "hostsite" / "settings" / "base.py"
    urls = project / "hostsite" / "urls.py"
    expect(settings.exists() and urls.exists(), f"{project} is not a `wagtail start hostsite` project")
    settings.write_text(
        settings.read_text() + "\n# Added from the README (plugin proof)\n" + readme_block("settings")
    )
    urls.write_text(urls.read_text() + "\n# Added from the README (plugin proof)\n" + readme_block("urls"))
    print("README settings and URL blocks applied")


def exercise(project):
    import os
    import tempfile
    import time

    sys.path.insert(0, str(project))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostsite.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from wagtail.models import Page

    from lead_forms.models import AppointmentFormField, AppointmentFormPage, AppointmentSubmission
    from treatment_pages.models import TreatmentIndexPage, TreatmentPage

    settings.ALLOWED_HOSTS = ["*"]
    home = Page.objects.get(depth=2).specific
    expect(type(home).__name__ == "HomePage", f"expected wagtail start's HomePage, found {type(home)}")

    form_page = home.add_child(
        instance=AppointmentFormPage(title="Request an appointment", slug="request", to_address="")
    )
    for order, (label, field_type) in enumerate([("Full name", "singleline"), ("Email", "email")]):
        AppointmentFormField.objects.create(
            page=form_page, sort_order=order, label=label, field_type=field_type, required=True
        )
    form_page.save_revision().publish()

    index = home.add_child(instance=TreatmentIndexPage(title="Treatments", slug="treatments"))
    index.save_revision().publish()
    article = index.add_child(
        instance=TreatmentPage(
            title="Mesotherapy",
            slug="mesotherapy",
            intro="Small injections into the middle layer of the skin.",
            body=[
                (
                    "prevention_steps",
                    {
                        "title": "Before your visit",
                        "steps": [
                            {"text": "Avoid aspirin for a week", "sub_points": ["Ask your doctor first"]},
                            {"text": "Drink plenty of water", "sub_points": []},
                        ],
                    },
                ),
                (
                    "next_steps",
                    {
                        "heading": "Next steps",
                        "text": "Book a consultation.",
                        "page": form_page,
                        "link_text": "Request an appointment",
                        "show_form": True,
                    },
                ),
            ],
        )
    )
    article.save_revision().publish()

    client = Client()
    response = client.get(article.url)
    body = response.content.decode()
    expect(response.status_code == 200, f"article answered {response.status_code}")
    for text in ("Avoid aspirin for a week", "Ask your doctor first", "Drink plenty of water", "<form"):
        expect(text in body, f"the article does not show {text!r}")
    expect("stars" in body.lower(), "the article has no rating widget")

    response = client.get(form_page.url)
    body = response.content.decode()
    expect(response.status_code == 200, f"form page answered {response.status_code}")
    token = re.search(r'name="form-token" value="([^"]+)"', body)
    expect(token, "the form page has no time-trap token")

    time.sleep(3.5)  # a person takes longer than the time trap's minimum to fill the form
    response = client.post(
        form_page.url, {"full_name": "Ada Patient", "email": "ada@example.com", "form-token": token.group(1)}
    )
    expect(response.status_code == 303, f"the request was answered {response.status_code}, not 303")
    response = client.get(response["Location"])
    expect(response.status_code == 200, f"the thank-you page answered {response.status_code}")
    expect("AR-" in response.content.decode(), "the thank-you page shows no reference")
    submission = AppointmentSubmission.objects.get()
    expect(not submission.is_spam, f"the request was flagged as spam: {submission.spam_reason}")

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "requests.csv"
        call_command("export_appointment_requests", output=str(path))
        csv_text = path.read_text(encoding="utf-8-sig")
    expect(submission.reference in csv_text and "Ada Patient" in csv_text, "the CSV lacks the request")
    print(f"exercise ok: article and form rendered, request {submission.reference} exported as CSV")


def main(argv):
    command, *args = argv
    if command == "check-wheel":
        check_wheel(*args)
    elif command == "readme-block":
        sys.stdout.write(readme_block(*args))
    elif command == "apply":
        apply(*args)
    elif command == "exercise":
        exercise(*args)
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (ProofFailed, MissingBlock) as failure:
        raise SystemExit(f"PLUGIN PROOF FAILED: {failure}") from None
