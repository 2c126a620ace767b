"""What a coordinator sees and does in the inbox: the reference, local times, phone and email links,
the status at the top of a request, staff notes (kept, audited, exported only on request)."""

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from lead_forms.models import AppointmentSubmission, StaffNote
from tests.lead_forms.conftest import make_submission

INDEX = "lead_forms_appointmentsubmission_modeladmin_index"
INSPECT = "lead_forms_appointmentsubmission_modeladmin_inspect"
NOTE = "lead_forms_appointmentsubmission_modeladmin_note"

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(coordinator):
    client = Client()
    client.force_login(coordinator)
    return client


@pytest.fixture
def request_b(form_page):
    return make_submission(
        form_page, first_name="Beatriz", last_name="Souza", email="bea@example.org", phone="+551155550101"
    )


def get_html(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_inbox_shows_the_reference_as_the_first_column(desk, request_b):
    html = get_html(desk, reverse(INDEX))
    listing = html[html.index('<table class="listing') :]
    headers = re.findall(r"<th[^>]*>(.*?)</th>", listing, re.S)
    first = re.sub(r"<[^>]+>", "", headers[0]).strip()
    assert first == "Reference"
    row = html[html.index("<tbody") :]
    assert row.index(request_b.reference) < row.index("Beatriz Souza")


def test_the_name_column_offers_no_sorting_since_names_are_stored_encrypted(desk, form_page):
    older = make_submission(form_page, first_name="Zoe", last_name="Adams")
    newer = make_submission(form_page, first_name="Abel", last_name="Young")
    html = get_html(desk, reverse(INDEX))
    listing = html[html.index('<table class="listing') :]
    headers = {
        re.sub(r"<[^>]+>", "", header).strip(): header
        for header in re.findall(r"<th[^>]*>(.*?)</th>", listing, re.S)
    }
    assert "?o=" not in headers["Name"]
    assert "?o=" in headers["Received"]  # sortable columns still are
    # The sort link's index in a made-up URL is ignored: newest first, as without it.
    name_column = 2  # reference, received, name, ...
    rows = get_html(desk, reverse(INDEX), {"o": str(name_column)})
    rows = rows[rows.index("<tbody") :]
    assert rows.index(newer.reference) < rows.index(older.reference)


def test_inbox_shows_times_in_the_clinics_time_zone(desk, request_b, settings):
    assert settings.TIME_ZONE == "America/New_York"  # the demo clinic's
    AppointmentSubmission.objects.filter(pk=request_b.pk).update(
        submit_time=datetime.datetime(2026, 1, 15, 15, 30, tzinfo=datetime.UTC)
    )
    html = get_html(desk, reverse(INDEX))
    assert "15 Jan 2026 10:30 EST" in html  # 15:30 UTC
    assert "15:30" not in html
    detail = get_html(desk, reverse(INSPECT, args=[request_b.pk]))
    assert "15 January 2026 10:30" in detail and "America/New_York" in detail


def test_phones_and_emails_are_formatted_and_linked(desk, form_page, request_b):
    local = make_submission(form_page, first_name="Local", email="", please_contact_me_by="Phone")
    html = get_html(desk, reverse(INDEX))
    assert '<a href="tel:+12175550199">(217) 555-0199</a>' in html
    # Beatriz prefers the phone too (the default answers), her number is Brazilian.
    assert '<a href="tel:+551155550101">+55 11 5555-0101</a>' in html

    detail = get_html(desk, reverse(INSPECT, args=[request_b.pk]))
    assert '<a href="tel:+551155550101">+55 11 5555-0101</a>' in detail
    assert '<a href="mailto:bea@example.org">bea@example.org</a>' in detail
    assert local.pk


def test_request_page_puts_contact_and_status_first_and_delete_last_as_a_secondary_action(desk, request_b):
    html = get_html(desk, reverse(INSPECT, args=[request_b.pk]))
    order = [
        html.index(text)
        for text in ('id="request-contact"', "New status", "Staff notes", "Answers", "History")
    ]
    assert order == sorted(order)
    delete = re.search(r'<a href="[^"]*/delete/[^"]*" class="([^"]*)">Delete this request', html)
    assert delete and "button-secondary" in delete.group(1) and "serious" not in delete.group(1)
    assert html.index("Delete this request") > html.index("History")
    assert '<footer class="footer">' not in html  # no big Delete bar at the bottom


def test_request_page_shows_the_reference_once_as_its_heading_and_how_to_reach_the_patient_first(
    desk, request_b
):
    """Issue 27 item 14: not three times (header, a second heading, a "Reference" row)."""
    html = get_html(desk, reverse(INSPECT, args=[request_b.pk]))
    content = html[html.index("<main") :]
    assert content.count(request_b.reference) == 1
    assert re.search(rf'<h1[^>]*>.*<span class="w-header__subtitle">{request_b.reference}</span>', html, re.S)
    contact = html[html.index('id="request-contact"') : html.index('id="request-status"')]
    assert '<a href="mailto:bea@example.org">bea@example.org</a>' in contact
    assert '<a href="tel:+551155550101">+55 11 5555-0101</a>' in contact


def test_staff_notes_are_kept_with_who_and_when_and_audited_without_their_text(coordinator, desk, request_b):
    url = reverse(NOTE, args=[request_b.pk])
    response = desk.post(url, {"note": "Called, no answer. Try after 5pm."}, follow=True)
    assert response.status_code == 200
    assert f"Note added to {request_b.reference}." in response.content.decode()
    desk.post(url, {"note": "Booked for Tuesday."})

    notes = list(StaffNote.objects.filter(submission=request_b).order_by("pk"))
    assert [n.text for n in notes] == ["Called, no answer. Try after 5pm.", "Booked for Tuesday."]
    assert all(n.user == coordinator and n.created_at for n in notes)
    html = get_html(desk, reverse(INSPECT, args=[request_b.pk]))
    assert html.index("Booked for Tuesday.") < html.index("Called, no answer.")  # newest first, both kept
    assert "Fran Desk" in html

    entries = ModelLogEntry.objects.filter(action="lead_forms.add_note", object_id=str(request_b.pk))
    assert entries.count() == 2 and entries.first().user == coordinator
    assert "Tuesday" not in str([e.data for e in entries])


def test_an_empty_note_is_refused_with_a_message(desk, request_b):
    response = desk.post(reverse(NOTE, args=[request_b.pk]), {"note": "   "}, follow=True)
    assert "Write the note before saving it." in response.content.decode()
    assert not StaffNote.objects.exists()


def test_only_patient_data_users_may_add_notes(page_editor, request_b):
    client = Client(enforce_csrf_checks=False)
    client.force_login(page_editor)
    response = client.post(reverse(NOTE, args=[request_b.pk]), {"note": "sneaky"})
    assert response.status_code in (302, 403)
    assert not StaffNote.objects.exists()


def read_csv(response):
    raw = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


def test_notes_are_exported_only_when_asked(desk, request_b, coordinator):
    request_b.add_note(coordinator, "Prefers mornings")
    plain = read_csv(desk.get(reverse(INDEX), {"export": "csv"}))
    assert "Staff notes" not in plain[0] and "Prefers mornings" not in str(plain)

    with_notes = read_csv(desk.get(reverse(INDEX), {"export": "csv", "notes": "include"}))
    assert with_notes[0][-1] == "Staff notes"
    assert with_notes[1][-1].endswith("Fran Desk: Prefers mornings")


def test_export_command_adds_notes_only_with_the_flag(tmp_path, request_b, coordinator):
    from django.core.management import call_command

    request_b.add_note(coordinator, "Insurance card checked")
    plain, noted = tmp_path / "plain.csv", tmp_path / "noted.csv"
    call_command("export_appointment_requests", "--output", str(plain))
    call_command("export_appointment_requests", "--output", str(noted), "--with-notes")
    assert "Insurance card checked" not in plain.read_text(encoding="utf-8-sig")
    header, row = list(csv.reader(io.StringIO(noted.read_text(encoding="utf-8-sig"), newline="")))
    assert header[-1] == "Staff notes" and row[-1].endswith("Fran Desk: Insurance card checked")
