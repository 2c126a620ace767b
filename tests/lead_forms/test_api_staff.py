"""Staff tooling reads appointment requests through /api/v3/appointment-requests/ with a bearer token."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from lead_forms.inbox import audit
from lead_forms.models import AppointmentSubmission
from tests.factories import UserFactory, api_token_for
from tests.lead_forms.conftest import make_submission

pytestmark = pytest.mark.django_db

URL = "/api/v3/appointment-requests/"


def bearer(user):
    _token, key = api_token_for(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def requests_stored(form_page, second_form):
    old = make_submission(form_page, first_name="Oldest", last_name="Patient", email="old@example.org")
    AppointmentSubmission.objects.filter(pk=old.pk).update(
        submit_time=timezone.now() - datetime.timedelta(days=40)
    )
    booked = make_submission(form_page, first_name="Booked", last_name="Patient", status="booked")
    spam = make_submission(form_page, first_name="Bot", is_spam=True, spam_reason="Form token missing")
    other = make_submission(second_form, full_name="Second Opinion", email="second@example.org")
    return {"old": old, "booked": booked, "spam": spam, "other": other}


def references(response):
    return [item["reference"] for item in response.json()["items"]]


def test_no_token_or_a_bad_one_is_401(requests_stored, coordinator):
    revoked_token, revoked_key = api_token_for(coordinator, name="revoked")
    revoked_token.revoked_at = timezone.now()
    revoked_token.save()
    inactive = UserFactory(username="former-frontdesk", is_active=False)
    inactive.groups.add(*coordinator.groups.all())
    _token, inactive_key = api_token_for(inactive)

    answers = [
        Client().get(URL),
        Client(HTTP_AUTHORIZATION="Bearer wagtail_not_a_real_token").get(URL),
        Client(HTTP_AUTHORIZATION=f"Bearer {revoked_key}").get(URL),
        Client(HTTP_AUTHORIZATION=f"Bearer {inactive_key}").get(f"{URL}export/"),
        Client(HTTP_AUTHORIZATION=f"Bearer {inactive_key}").get(f"{URL}{requests_stored['old'].pk}/"),
    ]

    for response in answers:
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert b"Patient" not in response.content
    # Answers to requests that carried a token are never stored by caches, refusals included.
    assert all("no-store" in response["Cache-Control"] for response in answers[1:])


def test_a_token_whose_user_lacks_the_permission_is_403(requests_stored, page_editor):
    client = bearer(page_editor)  # may edit every page, including the forms

    for path in (URL, f"{URL}export/", f"{URL}{requests_stored['old'].pk}/"):
        response = client.get(path)
        assert response.status_code == 403
        assert b"Patient" not in response.content and b"example.org" not in response.content


def test_coordinator_lists_requests_newest_first_without_spam(requests_stored, coordinator):
    response = bearer(coordinator).get(URL)

    assert response.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    stored = requests_stored
    assert references(response) == [
        stored["other"].reference,
        stored["booked"].reference,
        stored["old"].reference,
    ]
    assert response.json()["count"] == 3
    first = response.json()["items"][1]
    assert first["form"]["title"] == "Request an appointment"
    assert first["status"] == "booked" and first["status_label"] == "Booked"
    assert first["name"] == "Booked Patient"
    answers = {answer["name"]: answer for answer in first["answers"]}
    assert answers["first_name"] == {"name": "first_name", "label": "First name", "value": "Booked"}
    assert answers["receive_our_free_newsletter"]["value"] == "Yes"
    assert [answer["name"] for answer in first["answers"]][:3] == ["first_name", "last_name", "city"]


def test_filters_and_search_work_like_the_inbox(requests_stored, coordinator, form_page, second_form):
    client = bearer(coordinator)
    stored = requests_stored
    today = timezone.localdate()

    assert references(client.get(URL, {"form": second_form.pk})) == [stored["other"].reference]
    assert references(client.get(URL, {"status": "booked"})) == [stored["booked"].reference]
    assert references(client.get(URL, {"spam": "only"})) == [stored["spam"].reference]
    assert len(references(client.get(URL, {"spam": "include"}))) == 4
    assert references(client.get(URL, {"until": str(today - datetime.timedelta(days=30))})) == [
        stored["old"].reference
    ]
    assert stored["old"].reference not in references(client.get(URL, {"since": str(today)}))
    assert references(client.get(URL, {"q": "second@example.org"})) == [stored["other"].reference]
    assert references(client.get(URL, {"q": "+1 (217) 555-0199", "form": form_page.pk})) == [
        stored["booked"].reference,
        stored["old"].reference,
    ]
    assert client.get(URL, {"status": "nonsense"}).status_code == 422
    assert client.get(URL, {"form": 999999}).status_code == 404
    assert client.get(URL, {"limit": 1}).json()["count"] == 3


def test_fetching_one_request_and_object_level_scoping(requests_stored, coordinator, page_editor):
    client = bearer(coordinator)
    booked = requests_stored["booked"]

    response = client.get(f"{URL}{booked.pk}/")

    assert response.status_code == 200
    assert response.json()["reference"] == booked.reference
    assert client.get(f"{URL}987654/").status_code == 404


def test_csv_export_streams_the_filtered_requests_with_bom_and_safe_cells(
    requests_stored, coordinator, form_page
):
    make_submission(form_page, first_name='=HYPERLINK("http://evil.example")', last_name="Señora")

    response = bearer(coordinator).get(f"{URL}export/", {"form": form_page.pk})

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith(
        '\ufeff"Reference","Received (America/New_York)","Status","First name","Last name"'
    )
    lines = body.strip().splitlines()
    assert len(lines) == 1 + 3  # header, oldest, booked, the new one; no spam, no other form
    assert "'=HYPERLINK" in body and "Señora" in body
    assert requests_stored["other"].reference not in body


def test_xlsx_export_within_the_inboxs_size_limit(requests_stored, coordinator, settings):
    client = bearer(coordinator)

    response = client.get(f"{URL}export/", {"format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    settings.LEAD_FORMS_XLSX_MAX_ROWS = 2
    refused = client.get(f"{URL}export/", {"format": "xlsx"})
    assert refused.status_code == 422
    assert "download CSV" in refused.json()["detail"]
    assert client.get(f"{URL}export/", {"format": "csv"}).status_code == 200


def test_every_access_is_audited_without_patient_data(requests_stored, coordinator, form_page):
    client = bearer(coordinator)

    client.get(URL, {"form": form_page.pk, "q": "Patient"})
    client.get(f"{URL}{requests_stored['booked'].pk}/")
    b"".join(client.get(f"{URL}export/", {"status": "booked"}).streaming_content)

    listing = PageLogEntry.objects.get(action=audit.VIEW_INBOX)
    assert listing.user == coordinator and listing.page_id == form_page.pk
    assert listing.data["filters"]["q"] == "set"  # searched, not what for
    viewed = ModelLogEntry.objects.get(action=audit.VIEW_REQUEST)
    assert viewed.user == coordinator and viewed.object_id == str(requests_stored["booked"].pk)
    exported = ModelLogEntry.objects.get(action=audit.EXPORT)  # attached to the site: no form filter
    assert exported.user == coordinator
    assert (
        exported.data["rows"] == 1 and exported.data["format"] == "csv" and exported.data["source"] == "api"
    )
    for entry in [*ModelLogEntry.objects.all(), *PageLogEntry.objects.all()]:
        text = json.dumps(entry.data)
        assert "Booked" not in text and "Patient" not in text and "example.org" not in text


def test_token_holders_with_the_permission_see_what_the_public_never_does(requests_stored, coordinator):
    """The positive control of tests/cms_site/test_api_privacy.py."""
    booked = requests_stored["booked"]

    assert bearer(coordinator).get(f"{URL}{booked.pk}/").json()["email"] == booked.email
    assert Client().get(f"{URL}{booked.pk}/").status_code == 401


def test_dates_must_be_written_as_dates_not_numbers(requests_stored, coordinator):
    client = bearer(coordinator)

    response = client.get(URL, {"until": "0"})

    assert response.status_code == 422
    assert "YYYY-MM-DD" in response.json()["errors"][0]["msg"]
    assert client.get(URL, {"until": "2026-03-31"}).status_code == 200


def test_form_definitions_name_their_field_types_from_a_fixed_list(client, db):
    schema = client.get("/api/v3/openapi.json").json()

    field_type = schema["components"]["schemas"]["TextFormFieldDict"]["properties"]["type"]
    assert {"singleline", "email", "phone", "checkbox", "dropdown", "multiline"} <= set(field_type["enum"])


@pytest.mark.parametrize("params", [{"offset": str(2**63)}, {"offset": "9" * 40}, {"limit": str(2**63)}])
def test_a_page_past_what_sql_can_count_is_a_400_not_a_500(requests_stored, coordinator, settings, params):
    settings.WAGTAILAPI_LIMIT_MAX = None  # no limit of Wagtail's own before SQL's
    response = bearer(coordinator).get(URL, params)

    # The reference site's API contract answers every v3 listing alike (a host without it gets
    # the staff router's own 422 from lead_forms.api.routers.StaffPagination).
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Query parameter out of range"
    assert next(iter(params)) in response.json()["detail"]


def test_the_last_page_sql_can_count_is_an_empty_page(requests_stored, coordinator):
    response = bearer(coordinator).get(URL, {"offset": str(2**63 - 1)})
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert response.json()["count"] == 3


def age(token, days, last_used_days=None):
    """Make ``token`` look created ``days`` ago (and last used ``last_used_days`` ago)."""
    now = timezone.now()
    token.created = now - datetime.timedelta(days=days)
    token.last_used_at = None if last_used_days is None else now - datetime.timedelta(days=last_used_days)
    type(token).objects.filter(pk=token.pk).update(created=token.created, last_used_at=token.last_used_at)


def test_a_token_older_than_the_maximum_age_is_refused_with_401(requests_stored, coordinator, settings):
    settings.LEAD_FORMS_API_TOKEN_MAX_AGE_DAYS = 90
    settings.LEAD_FORMS_API_TOKEN_IDLE_DAYS = 30
    token, key = api_token_for(coordinator)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    age(token, 89, last_used_days=1)
    assert client.get(URL).status_code == 200

    age(token, 91, last_used_days=1)  # in daily use, but too old
    for path in (URL, f"{URL}export/", f"{URL}{requests_stored['old'].pk}/"):
        response = client.get(path)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert "expired" in response.json()["detail"]
        assert b"Patient" not in response.content
    # Presenting it did not count as a use.
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at > datetime.timedelta(hours=23)


def test_a_token_unused_past_the_idle_limit_is_refused_and_each_use_moves_the_limit_on(
    requests_stored, coordinator, settings
):
    settings.LEAD_FORMS_API_TOKEN_MAX_AGE_DAYS = 90
    settings.LEAD_FORMS_API_TOKEN_IDLE_DAYS = 30
    token, key = api_token_for(coordinator)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    age(token, 31)  # never used since it was made a month ago
    assert client.get(URL).status_code == 401

    age(token, 60, last_used_days=29)
    assert client.get(URL).status_code == 200
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < datetime.timedelta(minutes=1)

    settings.LEAD_FORMS_API_TOKEN_MAX_AGE_DAYS = None
    settings.LEAD_FORMS_API_TOKEN_IDLE_DAYS = None
    age(token, 5000, last_used_days=4000)
    assert client.get(URL).status_code == 200  # limits switched off


def test_the_token_list_shows_created_last_used_and_expiry(coordinator, page_editor, settings):
    from io import StringIO

    from django.core.management import call_command

    settings.LEAD_FORMS_API_TOKEN_MAX_AGE_DAYS = 90
    settings.LEAD_FORMS_API_TOKEN_IDLE_DAYS = 30
    fresh, _key = api_token_for(coordinator, name="Front desk script")
    stale, _key = api_token_for(page_editor, name="Old importer")
    age(fresh, 10, last_used_days=2)
    age(stale, 100, last_used_days=50)

    out = StringIO()
    call_command("staff_api_tokens", stdout=out)
    lines = {line.split("\t")[2]: line.split("\t") for line in out.getvalue().splitlines()[1:]}

    _id, prefix, _name, user, patient_data, created, last_used, expires = lines["Front desk script"]
    assert (user, patient_data) == ("frontdesk", "yes")
    assert prefix.startswith("wagtail_")
    assert created == timezone.localtime(fresh.created).strftime("%Y-%m-%d %H:%M")
    assert last_used == timezone.localtime(fresh.last_used_at).strftime("%Y-%m-%d %H:%M")
    # Idle limit first: last used 2 days ago, so 28 days from now.
    expected = timezone.localtime(fresh.last_used_at + datetime.timedelta(days=30)).strftime("%Y-%m-%d %H:%M")
    assert expires == expected
    assert lines["Old importer"][4] == "no"
    assert lines["Old importer"][7].startswith("expired ")

    only_expired = StringIO()
    call_command("staff_api_tokens", "--expired", stdout=only_expired)
    assert "Old importer" in only_expired.getvalue()
    assert "Front desk script" not in only_expired.getvalue()
