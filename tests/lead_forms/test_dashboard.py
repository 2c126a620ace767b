"""The admin dashboard: new appointment requests for staff who may read them; recent page edits."""

import pytest
from django.urls import reverse

from lead_forms.inbox.permissions import ensure_coordinators_group
from lead_forms.models import AppointmentSubmission
from tests.factories import UserFactory
from tests.lead_forms.conftest import make_submission


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def stored(form_page):
    requests = [make_submission(form_page, first_name=f"Patient{n}") for n in range(7)]
    AppointmentSubmission.objects.filter(pk=requests[0].pk).update(status="contacted")
    AppointmentSubmission.objects.create(page=form_page, form_data={}, is_spam=True, spam_reason="bot")
    return requests


def test_coordinators_see_the_new_requests_count_and_the_latest_few(client, stored):
    coordinator = UserFactory(username="coordinator")
    coordinator.groups.add(ensure_coordinators_group())

    html = dashboard(client, coordinator)

    assert "New appointment requests" in html
    assert "6 new requests waiting." in html  # not the contacted one, not spam
    newest = AppointmentSubmission.objects.order_by("-submit_time", "-pk").exclude(is_spam=True)[0]
    assert newest.reference in html
    assert reverse("lead_forms_appointmentsubmission_modeladmin_inspect", args=[newest.pk]) in html
    assert html.count('<td><a href="/admin/lead_forms/') == 5
    assert "Patient" not in html  # references, not names


def test_editors_without_the_patient_data_permission_do_not_see_the_panel(client, stored):
    editor = UserFactory(username="editor", is_superuser=False, is_staff=True)
    from django.contrib.auth.models import Group

    editor.groups.add(Group.objects.get(name="Editors"))

    html = dashboard(client, editor)

    assert "New appointment requests" not in html
    assert stored[1].reference not in html
