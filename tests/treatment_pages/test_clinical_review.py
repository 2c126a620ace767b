"""Clinical review: sign-off workflow, review dates, the review queue, digests, byline and JSON-LD."""

import csv
import datetime
import io
import json
import subprocess
import tempfile
from pathlib import Path

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from treatment_pages.models import ArticleReference, Clinician, TreatmentPage
from treatment_pages.ratings.votes import cast_vote
from treatment_pages.review.service import add_months

REVIEWERS = "Clinical reviewers"


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def json_ld(response):
    return [json.loads(s.string) for s in soup_of(response).find_all("script", type="application/ld+json")]


@pytest.fixture
def reviewer(demo_site):
    """The demo's clinical reviewer: Dr Jane Doe's login, in the Clinical reviewers group."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="jane.doe")


@pytest.fixture
def peel(demo_site):
    return TreatmentPage.objects.get(slug="chemical-peel")


@pytest.fixture
def laser(demo_site):
    return TreatmentPage.objects.get(slug="laser-hair-removal")


def submit_for_review(page):
    """Start the page's workflow (the demo's "Clinical sign-off") as an editor would."""
    editor = UserFactory(username="submitting-editor", is_superuser=True)
    page.save_revision(user=editor)
    workflow = page.get_workflow()
    assert workflow is not None and workflow.name == "Clinical sign-off"
    state = workflow.start(page, editor)
    return state.current_task_state


def approve_url(page, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])


# --- Sign-off ------------------------------------------------------------------------------


def test_approving_clinical_review_stamps_reviewer_dates_and_publishes(client, reviewer, laser):
    assert laser.medical_reviewer is None and laser.last_reviewed is None
    task_state = submit_for_review(laser)
    client.force_login(reviewer)

    response = client.post(approve_url(laser, task_state))

    assert response.status_code == 302
    laser.refresh_from_db()
    today = timezone.localdate()
    assert laser.medical_reviewer.name == "Dr Jane Doe"
    assert laser.last_reviewed == today
    assert laser.next_review_due == add_months(today, 12)
    assert laser.live and not laser.has_unpublished_changes
    # The live page shows the stamped byline.
    text = " ".join(soup_of(client.get(laser.url)).select_one(".review-byline").get_text().split())
    assert f"Medically reviewed by Dr Jane Doe, MD, FAAD, on {today:%-d %B %Y}" in text
    assert f"Next review due {add_months(today, 12):%B %Y}" in text


def test_an_articles_own_interval_moves_the_next_due_date(client, reviewer, laser):
    laser.review_interval_months = 6
    laser.save_revision().publish()
    task_state = submit_for_review(laser)
    client.force_login(reviewer)

    client.post(approve_url(laser, task_state))

    laser.refresh_from_db()
    assert laser.next_review_due == add_months(timezone.localdate(), 6)


def test_a_reviewer_without_a_clinician_profile_stamps_dates_but_keeps_the_reviewer(client, peel, demo_site):
    other = UserFactory(username="nurse-reviewer")
    other.groups.add(Group.objects.get(name=REVIEWERS))
    task_state = submit_for_review(peel)
    client.force_login(other)

    client.post(approve_url(peel, task_state))

    peel.refresh_from_db()
    assert peel.medical_reviewer.name == "Dr Samuel Okafor"
    assert peel.last_reviewed == timezone.localdate()


@pytest.mark.parametrize("superuser", [False, True])
def test_a_non_reviewer_cannot_approve_the_clinical_review(client, laser, superuser):
    task_state = submit_for_review(laser)
    outsider = UserFactory(username="outsider", is_superuser=superuser)
    client.force_login(outsider)

    response = client.post(approve_url(laser, task_state))

    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert (
            response.url.startswith("/admin/login") or "denied" in response.url or response.url == "/admin/"
        )
    task_state.refresh_from_db()
    assert task_state.status == task_state.STATUS_IN_PROGRESS
    laser.refresh_from_db()
    assert laser.last_reviewed is None and laser.medical_reviewer is None


def test_the_clinical_reviewers_group_exists_after_migrations(db):
    assert Group.objects.filter(name=REVIEWERS).exists()


def test_next_review_due_defaults_from_the_site_wide_interval(settings, laser):
    settings.TREATMENT_PAGES_REVIEW_INTERVAL_MONTHS = 18
    laser.last_reviewed = datetime.date(2026, 1, 31)
    laser.save_revision().publish()

    laser.refresh_from_db()
    assert laser.next_review_due == datetime.date(2027, 7, 31)


# --- The queue: report, dashboard, edit screen ----------------------------------------------


@pytest.fixture
def admin_client(client, demo_site):
    client.force_login(UserFactory(username="review-admin", is_superuser=True))
    return client


def report_titles(client, **params):
    response = client.get(reverse("treatment_pages_review_report"), params)
    soup = soup_of(response)
    return [
        cell.get_text(" ", strip=True) for cell in soup.select("table tbody td.title a, table tbody .title a")
    ]


def test_overdue_report_lists_exactly_the_overdue_articles(admin_client, peel, laser, mesotherapy):
    # Another overdue article, and one due later this year that must not be listed.
    laser.last_reviewed = add_months(timezone.localdate(), -13)
    laser.next_review_due = timezone.localdate() - datetime.timedelta(days=1)
    laser.save_revision().publish()

    titles = report_titles(admin_client, status="overdue")

    assert sorted(titles) == ["Chemical peel", "Laser hair removal"]
    assert "Mesotherapy" in report_titles(admin_client)


def test_report_exports_csv_and_xlsx_that_a_spreadsheet_opens(admin_client, peel):
    url = reverse("treatment_pages_review_report")
    response = admin_client.get(url, {"status": "overdue", "export": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Article", "Medical reviewer", "Last reviewed"]
    assert [row[0] for row in rows[1:]] == ["Chemical peel"]
    assert rows[1][1] == "Dr Samuel Okafor, MBBS, MRCP"
    assert rows[1][4].startswith("Review overdue since")

    response = admin_client.get(url, {"status": "overdue", "export": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet[2]][0] == "Chemical peel"
    if Path("/usr/bin/soffice").exists():
        # LibreOffice opens the workbook and reads the same row back.
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "review.xlsx"
            source.write_bytes(content)
            subprocess.run(  # noqa: S603
                ["/usr/bin/soffice", "--headless", "--convert-to", "csv", "--outdir", tmp, str(source)],
                check=True,
                capture_output=True,
                timeout=120,
                env={"HOME": tmp, "PATH": "/usr/bin:/bin"},
            )
            converted = (Path(tmp) / "review.csv").read_text(encoding="utf-8")
        assert "Chemical peel" in converted.splitlines()[1]


def test_report_shows_review_dates_as_dates_not_relative_time(admin_client, mesotherapy):
    """Issue 27 item 3: a due date next year read "Just now", a review date "14 hours ago"."""
    response = admin_client.get(reverse("treatment_pages_review_report"))
    row = next(row for row in soup_of(response).select("tbody tr") if "Mesotherapy" in row.get_text())

    times = {time["datetime"]: time.get_text(strip=True) for time in row.select("time")}
    assert times == {
        mesotherapy.last_reviewed.isoformat(): f"{mesotherapy.last_reviewed:%-d %b %Y}",
        mesotherapy.next_review_due.isoformat(): f"{mesotherapy.next_review_due:%-d %b %Y}",
    }
    assert "ago" not in row.get_text() and "Just now" not in row.get_text()


def test_a_live_article_never_reviewed_is_in_the_queue_with_that_reason(admin_client, laser, mesotherapy):
    """Issue 27 item 13: Laser hair removal, live and never signed off, was in no queue."""
    assert "Laser hair removal" in report_titles(admin_client, status="queue")
    assert "Laser hair removal" in report_titles(admin_client, status="not_reviewed")
    assert "Mesotherapy" not in report_titles(admin_client, status="not_reviewed")
    row = next(
        row
        for row in soup_of(admin_client.get(reverse("treatment_pages_review_report"))).select("tbody tr")
        if "Laser hair removal" in row.get_text()
    )
    assert "Never clinically reviewed" in row.get_text()


def test_report_filters_by_reviewer(admin_client, peel, mesotherapy):
    okafor = Clinician.objects.get(name="Dr Samuel Okafor")

    assert report_titles(admin_client, medical_reviewer=okafor.pk) == ["Chemical peel"]


def test_low_rated_article_enters_the_queue_with_that_reason(admin_client, mesotherapy):
    assert "Mesotherapy" not in report_titles(admin_client, status="queue")
    for voter in range(5):
        cast_vote(mesotherapy, f"voter-{voter}", 2)

    assert report_titles(admin_client, status="low_rating") == ["Mesotherapy"]
    assert "Mesotherapy" in report_titles(admin_client, status="queue")
    row = next(
        row
        for row in soup_of(admin_client.get(reverse("treatment_pages_review_report"))).select("tbody tr")
        if "Mesotherapy" in row.get_text()
    )
    assert "Low reader rating: 2.0 from 5 ratings" in row.get_text(" ", strip=True)


def test_four_low_ratings_are_not_enough(admin_client, mesotherapy):
    for voter in range(4):
        cast_vote(mesotherapy, f"voter-{voter}", 1)

    assert report_titles(admin_client, status="low_rating") == []


def test_dashboard_lists_overdue_and_due_this_month(admin_client, laser, peel):
    today = timezone.localdate()
    last_day = today.replace(day=28) if today.day <= 28 else today
    laser.next_review_due = last_day
    laser.save_revision().publish()

    soup = soup_of(admin_client.get(reverse("wagtailadmin_home")))

    assert [a.get_text() for a in soup.select("[data-review-overdue] a")] == ["Chemical peel"]
    assert [a.get_text() for a in soup.select("[data-review-due] a")] == ["Laser hair removal"]


def test_overdue_article_warns_editors_on_its_edit_screen(admin_client, peel, mesotherapy):
    soup = soup_of(admin_client.get(reverse("wagtailadmin_pages:edit", args=[peel.pk])))
    warning = soup.select_one("[data-review-warning]")
    assert warning is not None
    assert "Review overdue since" in warning.get_text()

    soup = soup_of(admin_client.get(reverse("wagtailadmin_pages:edit", args=[mesotherapy.pk])))
    assert soup.select_one("[data-review-warning]") is None


def test_patients_see_only_the_real_dates_of_an_overdue_article(client, peel):
    soup = soup_of(client.get(peel.url))
    text = soup.get_text(" ", strip=True)

    assert f"Next review due {peel.next_review_due:%B %Y}" in text
    assert "overdue" not in text.lower()


# --- Digest --------------------------------------------------------------------------------


def test_digest_sends_each_reviewer_titles_and_admin_links_only(reviewer, peel, mesotherapy, laser):
    okafor = Clinician.objects.get(name="Dr Samuel Okafor")
    okafor.user = UserFactory(username="sam", email="sam@riverside-clinic.example")
    okafor.save()
    # Mesotherapy (Dr Doe's) falls due this month.
    mesotherapy.next_review_due = timezone.localdate()
    mesotherapy.save_revision().publish()

    out = io.StringIO()
    call_command("send_review_digest", stdout=out)

    assert "Sent 2 review digest email(s)" in out.getvalue()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    sam, jane = (
        by_recipient["sam@riverside-clinic.example"],
        by_recipient["jane.doe@riverside-clinic.example"],
    )
    assert sam.subject == "1 article needs clinical review"
    assert "Chemical peel" in sam.body and "Mesotherapy" not in sam.body
    assert f"http://testserver/admin/pages/{peel.pk}/edit/" in sam.body
    assert "Review overdue since" in sam.body
    assert "Mesotherapy" in jane.body and f"/admin/pages/{mesotherapy.pk}/edit/" in jane.body
    # Articles with no reviewer go to the whole group: never reviewed ones too.
    assert "Laser hair removal" in jane.body and "Never clinically reviewed" in jane.body
    titles = set(TreatmentPage.objects.values_list("title", flat=True))
    for message in mail.outbox:
        # Titles, reasons and links: no article text.
        assert peel.intro not in message.body and mesotherapy.intro not in message.body
        assert "injection" not in message.body.lower()
        lines = [line.strip() for line in message.body.splitlines() if line.strip()]
        article_lines = [line for line in lines if line.startswith("- ")]
        assert article_lines and all(line[2:] in titles for line in article_lines)


def test_unassigned_articles_go_to_every_clinical_reviewer(reviewer, laser):
    laser.next_review_due = timezone.localdate() - datetime.timedelta(days=3)
    laser.save_revision().publish()

    call_command("send_review_digest", stdout=io.StringIO())

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "Laser hair removal" in bodies["jane.doe@riverside-clinic.example"]


def test_digest_includes_the_low_rating_reason(reviewer, mesotherapy):
    for voter in range(6):
        cast_vote(mesotherapy, f"voter-{voter}", 1)

    call_command("send_review_digest", stdout=io.StringIO())

    jane = next(m for m in mail.outbox if m.to == ["jane.doe@riverside-clinic.example"])
    assert "Low reader rating: 1.0 from 6 ratings" in jane.body


def test_digest_task_runs_on_the_worker_backend(reviewer, peel):
    from treatment_pages.tasks import send_review_digest

    result = send_review_digest.enqueue()

    assert result.return_value == 1
    assert [m.to for m in mail.outbox] == [["jane.doe@riverside-clinic.example"]]


# --- What patients see, structured data ----------------------------------------------------

# The schema.org properties each type used here defines (own or inherited), from schema.org.
SCHEMA_ORG = {
    "MedicalWebPage": {
        "name", "headline", "description", "url", "lastReviewed", "reviewedBy", "citation", "aggregateRating",
    },
    "Person": {"name", "honorificSuffix", "hasCredential", "jobTitle", "knowsAbout", "url"},
    "EducationalOccupationalCredential": {"name"},
    "CreativeWork": {"name", "publisher", "datePublished", "url", "identifier"},
    "Organization": {"name"},
    "PropertyValue": {"propertyID", "value"},
    "AggregateRating": {"ratingValue", "ratingCount", "bestRating", "worstRating"},
    "FAQPage": {"mainEntity"},
    "Question": {"name", "acceptedAnswer"},
    "Answer": {"text"},
    "MedicalClinic": {"name", "url", "address", "telephone", "email", "openingHoursSpecification"},
    "PostalAddress": {"streetAddress", "addressLocality", "addressRegion", "postalCode"},
    "OpeningHoursSpecification": {"dayOfWeek", "opens", "closes"},
}  # fmt: skip


def assert_schema_org(node, path="$"):
    """Every object has a known @type and only properties schema.org defines for it."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            assert_schema_org(item, f"{path}[{index}]")
        return
    if not isinstance(node, dict):
        return
    assert node.get("@type") in SCHEMA_ORG, f"{path}: unknown @type {node.get('@type')!r}"
    unknown = set(node) - SCHEMA_ORG[node["@type"]] - {"@type", "@context"}
    assert not unknown, f"{path} ({node['@type']}): not schema.org properties {unknown}"
    for key, value in node.items():
        assert_schema_org(value, f"{path}.{key}")


def test_mesotherapy_json_ld_has_reviewer_review_date_and_citations(client, mesotherapy):
    data = next(item for item in json_ld(client.get(mesotherapy.url)) if item["@type"] == "MedicalWebPage")

    assert_schema_org(data)
    assert data["@context"] == "https://schema.org"
    assert data["reviewedBy"]["@type"] == "Person"
    assert data["reviewedBy"]["name"] == "Dr Jane Doe"
    assert data["reviewedBy"]["honorificSuffix"] == "MD, FAAD"
    assert [c["name"] for c in data["reviewedBy"]["hasCredential"]] == ["MD", "FAAD"]
    assert data["lastReviewed"] == mesotherapy.last_reviewed.isoformat()
    assert len(data["citation"]) == 3
    assert data["citation"][0]["url"] == "https://doi.org/10.5555/demo.meso.2023.001"
    assert data["citation"][0]["publisher"]["name"] == "Journal of Clinical Aesthetic Practice"


def test_faq_block_yields_faq_page(client, mesotherapy):
    data = next(item for item in json_ld(client.get(mesotherapy.url)) if item["@type"] == "FAQPage")

    assert_schema_org(data)
    assert [q["name"] for q in data["mainEntity"]][0] == "Does mesotherapy hurt?"
    assert "numbing cream" in data["mainEntity"][0]["acceptedAnswer"]["text"]
    soup = soup_of(client.get(mesotherapy.url))
    assert [h.get_text() for h in soup.select(".faq h3.faq__question")][
        1
    ] == "How soon will I see a difference?"


def test_home_page_carries_the_medical_clinic(client, home_page):
    data = next(item for item in json_ld(client.get(home_page.url)) if item["@type"] == "MedicalClinic")

    assert_schema_org(data)
    assert data["name"] == "Riverside Skin & Wellness Clinic"
    assert data["telephone"] == "+1 (217) 555-0142"
    assert data["address"]["streetAddress"] == "42 Riverside Walk, Suite 3"
    assert data["openingHoursSpecification"][0] == {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        "opens": "08:30",
        "closes": "18:00",
    }


def test_byline_links_to_the_clinician_and_references_close_the_article(client, mesotherapy):
    soup = soup_of(client.get(mesotherapy.url))

    # At the article's end (the NHS pattern), after the references.
    byline = soup.select_one("article footer.article__footer .review-byline")
    link = byline.find("a")
    assert link.get_text() == "Dr Jane Doe, MD, FAAD"
    assert link["href"] == "https://riverside-clinic.example/team/jane-doe/"
    assert f"{mesotherapy.last_reviewed:%-d %B %Y}" in byline.get_text()
    assert f"Next review due {mesotherapy.next_review_due:%B %Y}" in byline.get_text(" ", strip=True)
    items = soup.select("section.references ol li")
    assert [item["id"] for item in items] == ["ref-1", "ref-2", "ref-3"]
    assert items[0].find("a")["href"] == "https://doi.org/10.5555/demo.meso.2023.001"
    citations = soup.select(".article__body sup.citation a")
    assert [a["href"] for a in citations] == ["#ref-1", "#ref-2", "#ref-3"]


def test_a_citation_past_the_references_stays_text_and_the_editor_is_told(client, mesotherapy, admin_client):
    mesotherapy.body = [
        *mesotherapy.body.raw_data,
        {"type": "paragraph", "value": "<p>See [7] and <a href='https://x.example'>[1]</a>.</p>"},
    ]
    mesotherapy.save_revision().publish()

    soup = soup_of(client.get(mesotherapy.url))
    assert "[7]" in soup.select_one(".article__body").get_text()
    assert len(soup.select(".article__body sup.citation")) == 3
    panel = soup_of(admin_client.get(reverse("wagtailadmin_pages:edit", args=[mesotherapy.pk])))
    assert "These citation numbers match no reference (publishing is blocked until each has one): [7]" in (
        panel.get_text(" ", strip=True)
    )


def test_a_draft_clinician_is_not_named_to_patients(client, mesotherapy):
    jane = mesotherapy.medical_reviewer
    jane.live = False
    jane.save()

    soup = soup_of(client.get(mesotherapy.url))
    assert "Medically reviewed by" not in soup.get_text()
    data = next(item for item in json_ld(client.get(mesotherapy.url)) if item["@type"] == "MedicalWebPage")
    assert "reviewedBy" not in data


def test_reference_needs_a_url_or_doi(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        ArticleReference(title="A source").full_clean(exclude=["page"])
    assert "URL or its DOI" in str(error.value)
