"""Staff reach patient data through one door: the inbox ("Appointment requests")."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.lead_forms.conftest import make_submission

INBOX = "lead_forms_appointmentsubmission_modeladmin_index"


@pytest.fixture
def staff(client, db):
    client.force_login(UserFactory(username="desk", is_superuser=True, is_staff=True))
    return client


def test_the_main_menu_has_appointment_requests_and_no_forms_entry(staff, form_page):
    response = staff.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Appointment requests" in html
    assert '"name": "forms"' not in html and reverse("wagtailforms:index") not in html


def test_the_per_form_list_is_the_inbox_filtered_to_that_form(staff, form_page, second_form):
    make_submission(form_page, first_name="Onthisform")
    make_submission(second_form, first_name="Elsewhere")

    response = staff.get(reverse("wagtailforms:list_submissions", args=[form_page.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse(INBOX)}?form={form_page.pk}"
    inbox = staff.get(response["Location"])
    assert inbox.status_code == 200
    assert b"Onthisform" in inbox.content and b"Elsewhere" not in inbox.content
