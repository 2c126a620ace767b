"""The staff inbox on a host that followed the README: its cost does not grow with the rows it lists,
searching finds a phone in any format and a reference with or without "AR-", and the filter in force
is shown with a way to search everything."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lead_forms.models import AppointmentSubmission
from lead_forms.models.submissions import new_reference

INDEX = "lead_forms_appointmentsubmission_modeladmin_index"


@pytest.fixture
def coordinator(host_home):
    from lead_forms.inbox.permissions import ensure_coordinators_group
    from tests.factories import UserFactory

    user = UserFactory(username="frontdesk")
    user.groups.add(ensure_coordinators_group())
    return user


@pytest.fixture
def staff(coordinator):
    client = Client()
    client.force_login(coordinator)
    return client


def add_requests(form_page, count, status="new"):
    rows = [
        AppointmentSubmission(
            page=form_page,
            form_data={"full_name": f"Patient {n}", "email": f"p{n}@example.org"},
            name=f"Patient {n}",
            email=f"p{n}@example.org",
            phone=f"(217) 555-{n:04d}",
            contact_method="Phone",
            status=status,
            reference=new_reference(),
        )
        for n in range(count)
    ]
    return AppointmentSubmission.objects.bulk_create(rows)


def queries_for(client, url, data=None):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(context.captured_queries), response


@pytest.mark.parametrize("query", [{}, {"q": "(217) 555-0001"}, {"q": "Patient"}, {"status": "new"}])
def test_the_inbox_runs_the_same_queries_for_2_rows_as_for_a_full_page(staff, form_page, query):
    url = reverse(INDEX)
    add_requests(form_page, 2)
    staff.get(url)  # session, permissions and content types warmed like any later page
    few, _response = queries_for(staff, url, query)

    add_requests(form_page, 60)
    many, response = queries_for(staff, url, query)

    assert many == few
    # Stock Wagtail's form submissions list runs 6; the inbox adds its filters' choices and audit entry.
    assert many <= 22, many
    if not query:
        assert response.content.decode().count('href="tel:') == 50  # a full page, each row listed


@pytest.mark.parametrize("term", ["+1 217 555 0142", "(217) 555-0142", "2175550142"])
def test_the_inbox_finds_a_phone_in_any_format(staff, form_page, term):
    add_requests(form_page, 143)

    response = staff.get(reverse(INDEX), {"q": term})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Patient 142" in html
    assert html.count('href="tel:') == 1


def test_the_inbox_finds_a_reference_without_its_prefix(staff, form_page):
    (request,) = add_requests(form_page, 1)

    response = staff.get(reverse(INDEX), {"q": request.reference.removeprefix("AR-").lower()})

    assert response.status_code == 200
    assert request.reference in response.content.decode()


def test_a_search_from_the_dashboards_new_list_says_it_is_filtered_and_offers_all(staff, form_page):
    (contacted,) = add_requests(form_page, 1, status="contacted")
    url = reverse(INDEX)

    response = staff.get(url, {"status": "new", "q": contacted.reference})

    assert response.status_code == 200
    html = response.content.decode()
    inspect_url = reverse("lead_forms_appointmentsubmission_modeladmin_inspect", args=[contacted.pk])
    assert inspect_url not in html  # the filter hides it...
    assert "Showing only requests with" in html and "<strong>status: New</strong>" in html
    assert f"Your search for “{contacted.reference}” looks only through these requests." in html
    search_all = f'href="{url}?q={contacted.reference}"'
    assert search_all in html
    everywhere = staff.get(url, {"q": contacted.reference})
    assert everywhere.status_code == 200
    assert 'id="inbox-active-filters"' not in everywhere.content.decode()
    assert inspect_url in everywhere.content.decode()  # ...and the offered link finds it


def test_each_filter_choice_brings_the_keyboard_back_to_itself(staff, form_page):
    add_requests(form_page, 1)

    response = staff.get(reverse(INDEX), {"status": "booked"})

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        '<a id="filter-status-4" href="?status=booked#filter-status-4" aria-current="true">Booked</a>' in html
    )


def test_staff_notes_are_exported_from_the_inbox_menu(staff, form_page, coordinator):
    (request,) = add_requests(form_page, 1)
    request.add_note(coordinator, "Called, no answer")
    url = reverse(INDEX)

    html = staff.get(url, {"status": "new"}).content.decode()

    assert "Download CSV with staff notes" in html and "Download XLSX with staff notes" in html
    link = f"{url}?status=new&amp;export=csv&amp;notes=include"
    assert f'href="{link}"' in html
    response = staff.get(url, {"status": "new", "export": "csv", "notes": "include"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert '"Staff notes"' in body.splitlines()[0]
    assert "Called, no answer" in body
