"""The staff inbox: who may see, export, change and delete appointment requests, and what they see."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from lead_forms.models import AppointmentSubmission, StatusChange
from tests.lead_forms.conftest import make_submission

INDEX = "lead_forms_appointmentsubmission_modeladmin_index"
INSPECT = "lead_forms_appointmentsubmission_modeladmin_inspect"
DELETE = "lead_forms_appointmentsubmission_modeladmin_delete"
STATUS = "lead_forms_appointmentsubmission_modeladmin_status"

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_a(form_page):
    return make_submission(form_page, first_name="Alicepatient", last_name="Smith", email="alice@example.org")


@pytest.fixture
def users(coordinator, page_editor, superuser):
    return {"anonymous": None, "editor": page_editor, "coordinator": coordinator, "superuser": superuser}


def client_for(user, csrf=False):
    client = Client(enforce_csrf_checks=csrf)
    if user is not None:
        client.force_login(user)
    return client


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


ALLOWED = {"anonymous": False, "editor": False, "coordinator": True, "superuser": True}


def refused(response, who):
    if who == "anonymous":
        return response.status_code == 302 and "/login/" in response["Location"]
    return response.status_code in (403, 404) or (
        # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
        response.status_code == 302
        and "/login/" not in response["Location"]
        and "inspect" not in response["Location"]
    )


@pytest.mark.parametrize("who", ["anonymous", "editor", "coordinator", "superuser"])
def test_permission_matrix_for_reading(who, users, request_a):
    client = client_for(users[who])
    responses = {
        "inbox": client.get(reverse(INDEX)),
        "detail": client.get(reverse(INSPECT, args=[request_a.pk])),
        "csv": client.get(reverse(INDEX), {"export": "csv"}),
        "xlsx": client.get(reverse(INDEX), {"export": "xlsx"}),
        "stock list": client.get(reverse("wagtailforms:list_submissions", args=[request_a.page_id])),
        "stock csv": client.get(
            reverse("wagtailforms:list_submissions", args=[request_a.page_id]), {"export": "csv"}
        ),
    }
    for name, response in responses.items():
        if ALLOWED[who]:
            # The per-form list leads to the inbox filtered to that form.
            assert response.status_code == (302 if name == "stock list" else 200), name
        else:
            assert refused(response, who), (name, response.status_code)
            assert b"Alicepatient" not in body(response), name
    if ALLOWED[who]:
        assert b"Alicepatient" in responses["inbox"].content
        assert b"Alicepatient" in responses["detail"].content
        assert b"Alicepatient" in body(responses["csv"])
        assert responses["xlsx"]["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("who", ["anonymous", "editor", "coordinator", "superuser"])
def test_permission_matrix_for_changing(who, users, request_a):
    client = client_for(users[who])
    status = client.post(reverse(STATUS, args=[request_a.pk]), {"status": "contacted"})
    request_a.refresh_from_db()
    assert (request_a.status == "contacted") is ALLOWED[who]
    if not ALLOWED[who]:
        assert refused(status, who)

    delete = client.post(reverse(DELETE, args=[request_a.pk]))
    assert AppointmentSubmission.objects.filter(pk=request_a.pk).exists() is not ALLOWED[who]
    if not ALLOWED[who]:
        assert refused(delete, who)


@pytest.mark.parametrize("who", ["anonymous", "editor", "coordinator", "superuser"])
def test_permission_matrix_for_wagtails_delete_view(who, users, request_a):
    url = reverse("wagtailforms:delete_submissions", args=[request_a.page_id])
    response = client_for(users[who]).post(f"{url}?selected-submissions={request_a.pk}")
    assert AppointmentSubmission.objects.filter(pk=request_a.pk).exists() is not ALLOWED[who]
    if not ALLOWED[who]:
        assert refused(response, who)


def test_page_rights_alone_do_not_show_forms_menu_submissions(page_editor, form_page):
    response = client_for(page_editor).get(reverse("wagtailforms:index"))
    assert "Request an appointment" not in response.content.decode()


def test_ids_of_another_form_are_never_touched(coordinator, form_page, second_form):
    """CVE-2026-44199 pattern: ids of form B sent to form A's delete view delete nothing."""
    mine = make_submission(form_page)
    other = make_submission(second_form, full_name="Otherform Person")
    client = client_for(coordinator)
    url = reverse("wagtailforms:delete_submissions", args=[form_page.pk])

    confirm = client.get(f"{url}?selected-submissions={other.pk}")
    client.post(f"{url}?selected-submissions={other.pk}&selected-submissions={mine.pk}")

    assert b"Otherform" not in confirm.content
    assert AppointmentSubmission.objects.filter(pk=other.pk).exists()
    assert not AppointmentSubmission.objects.filter(pk=mine.pk).exists()


def test_a_user_who_loses_the_permission_loses_every_view(coordinator, request_a):
    client = client_for(coordinator)
    assert client.get(reverse(INSPECT, args=[request_a.pk])).status_code == 200
    coordinator.groups.clear()
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    client.force_login(coordinator)
    assert client.get(reverse(INSPECT, args=[request_a.pk])).status_code != 200
    assert client.post(reverse(STATUS, args=[request_a.pk]), {"status": "closed"}).status_code != 200
    request_a.refresh_from_db()
    assert request_a.status == "new"


def test_inbox_lists_every_form_newest_first_and_hides_spam(coordinator, form_page, second_form):
    older = make_submission(form_page, first_name="Olderpatient")
    newer = make_submission(second_form, full_name="Newerpatient Jones", email="newer@example.org")
    make_submission(form_page, first_name="Spambotname", is_spam=True, spam_reason="honeypot")
    AppointmentSubmission.objects.filter(pk=older.pk).update(submit_time="2026-01-05T10:00:00Z")
    AppointmentSubmission.objects.filter(pk=newer.pk).update(submit_time="2026-02-05T10:00:00Z")
    client = client_for(coordinator)

    html = client.get(reverse(INDEX)).content.decode()
    assert html.index("Newerpatient Jones") < html.index("Olderpatient Quillfeather")
    assert "Spambotname" not in html
    assert "Second opinion" in html and "Request an appointment" in html
    for heading in ("Received", "Name", "Contact method", "Form page", "Status"):
        assert f">{heading}<" in html.replace("\n", "").replace("  ", ""), heading
    # The patient's preferred contact method and number, formatted and dialable.
    assert 'Phone: <a href="tel:+12175550199">(217) 555-0199</a>' in html
    assert "Spambotname" in client.get(reverse(INDEX), {"spam": "only"}).content.decode()


def test_inbox_filters_and_search(coordinator, form_page, second_form):
    a = make_submission(form_page, first_name="Filterfirst", email="first@example.org", phone="+12175550101")
    b = make_submission(second_form, full_name="Filtersecond", email="Second@Example.org")
    AppointmentSubmission.objects.filter(pk=a.pk).update(submit_time="2026-03-10T12:00:00Z", status="booked")
    AppointmentSubmission.objects.filter(pk=b.pk).update(submit_time="2026-04-10T12:00:00Z")
    client = client_for(coordinator)

    def names(**params):
        html = client.get(reverse(INDEX), params).content.decode()
        return {name for name in ("Filterfirst", "Filtersecond") if name in html}

    assert names() == {"Filterfirst", "Filtersecond"}
    assert names(form=second_form.pk) == {"Filtersecond"}
    assert names(status="booked") == {"Filterfirst"}
    assert names(received_from="2026-04-01") == {"Filtersecond"}
    assert names(received_to="2026-03-10") == {"Filterfirst"}
    # Patient data is encrypted: whole values only, through the blind indexes (test_encryption.py).
    assert names(q="second@example.org") == {"Filtersecond"}
    assert names(q="second@example") == set()
    assert names(q="+1 (217) 555-0101") == {"Filterfirst"}
    assert names(q="0101") == {"Filterfirst"}
    assert names(q="filterfirst") == {"Filterfirst"}
    # Arbitrary lookups in the query string are not applied to patient data.
    assert names(form_data__icontains="Filterfirst") == {"Filterfirst", "Filtersecond"}


def test_bad_date_is_reported(coordinator, request_a):
    html = client_for(coordinator).get(reverse(INDEX), {"received_from": "10/03/2026"}).content.decode()
    assert "Enter the start date as YYYY-MM-DD." in html
    assert 'value="10/03/2026"' in html


def test_detail_shows_every_answer_labelled_in_form_order(coordinator, form_page, request_a):
    html = client_for(coordinator).get(reverse(INSPECT, args=[request_a.pk])).content.decode()
    labels = [field.label for field in form_page.get_form_fields()]
    answers = html[html.index('id="request-answers"') :]  # after the contact summary at the top
    positions = [answers.index(f"<dt>{label}</dt>") for label in labels]
    assert positions == sorted(positions)
    for value in (
        "Alicepatient",
        "alice@example.org",
        "+12175550199",
        "Ask a question",
        "Sensitive-comment-xyzzy",
    ):
        assert value in html


def test_status_change_needs_csrf_and_is_recorded_with_who_and_when(coordinator, request_a):
    client = client_for(coordinator, csrf=True)
    url = reverse(STATUS, args=[request_a.pk])
    assert client.post(url, {"status": "contacted"}).status_code == 403  # no CSRF token

    detail = client.get(reverse(INSPECT, args=[request_a.pk])).content.decode()
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"status": "contacted", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    client.post(url, {"status": "booked", "csrfmiddlewaretoken": token})
    client.post(url, {"status": "spam", "csrfmiddlewaretoken": token})

    request_a.refresh_from_db()
    assert request_a.status == "booked" and request_a.is_spam
    changes = list(StatusChange.objects.filter(submission=request_a).order_by("pk"))
    assert [(c.old_value, c.new_value) for c in changes] == [
        ("new", "contacted"),
        ("contacted", "booked"),
        ("not_spam", "spam"),
    ]
    assert all(c.user == coordinator and c.changed_at for c in changes)
    detail = client.get(reverse(INSPECT, args=[request_a.pk])).content.decode()
    # Words, not an arrow that screen readers skip or read as "right arrow".
    assert "from New to Contacted, by Fran Desk" in detail
    assert "from Contacted to Booked, by Fran Desk" in detail


def test_unknown_status_is_refused_with_a_message(coordinator, request_a):
    client = client_for(coordinator)
    response = client.post(reverse(STATUS, args=[request_a.pk]), {"status": "deleted"}, follow=True)
    request_a.refresh_from_db()
    assert request_a.status == "new"
    assert "Choose one of the listed statuses." in response.content.decode()
    assert client.get(reverse(STATUS, args=[request_a.pk])).status_code == 405


def test_status_change_of_a_missing_request_is_404(coordinator, request_a):
    response = client_for(coordinator).post(reverse(STATUS, args=[request_a.pk + 1000]), {"status": "closed"})
    assert response.status_code == 404


def test_migration_creates_the_coordinator_group(db):
    group = Group.objects.get(name="Patient coordinators")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert {("lead_forms", "view_appointment_requests"), ("wagtailadmin", "access_admin")} <= codenames
    # Nothing else about requests, and no page rights: coordinators read requests, they do not edit the site.
    assert {codename for app, codename in codenames if app == "lead_forms"} == {"view_appointment_requests"}
    assert not group.page_permissions.exists()
