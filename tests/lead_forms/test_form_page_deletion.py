"""A form page holding appointment requests cannot be deleted by any path; nothing is lost."""

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from wagtail.models import ModelLogEntry, Page, PageLogEntry

from lead_forms.inbox.deletion import DELETE_REFUSED
from lead_forms.models import AppointmentSubmission
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="chief-editor", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def held(form_page):
    for n in range(3):
        AppointmentSubmission.objects.create(page=form_page, form_data={"first_name": f"P{n}"})
    return form_page


def refusals(page):
    return PageLogEntry.objects.filter(page=page, action=DELETE_REFUSED)


def assert_nothing_lost(page):
    assert Page.objects.filter(pk=page.pk).exists()
    assert AppointmentSubmission.objects.filter(page=page).count() == 3


def test_single_delete_is_refused_with_the_count_and_what_to_do(admin_client, held):
    response = admin_client.post(reverse("wagtailadmin_pages:delete", args=[held.pk]), follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert "holds 3 appointment requests" in text
    assert "Export them" in text and "purge_appointment_requests" in text
    assert_nothing_lost(held)
    entry = refusals(held).get()
    assert entry.data == {"requests": 3, "source": "admin"}
    assert "P0" not in str(entry.data)


def test_deleting_an_ancestor_of_the_form_page_is_refused(admin_client, held):
    home = held.get_parent()
    response = admin_client.post(reverse("wagtailadmin_pages:delete", args=[home.pk]), follow=True)

    assert response.status_code == 200
    assert "holds 3 appointment requests" in response.content.decode()
    assert Page.objects.filter(pk=home.pk).exists()
    assert_nothing_lost(held)
    assert refusals(home).count() == 1


def bulk_delete(client, pages):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    ids = "&".join(f"id={page.pk}" for page in pages)
    return client.post(f"{url}?{ids}&next=/admin/", follow=True)


def test_bulk_deleting_the_form_page_is_refused_with_the_count(admin_client, held):
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])
    confirmation = admin_client.get(f"{url}?id={held.pk}&next=/admin/")
    assert confirmation.status_code == 200
    assert "holds 3 appointment requests" in confirmation.content.decode()

    response = bulk_delete(admin_client, [held])

    assert response.status_code == 200
    text = response.content.decode()
    assert "holds 3 appointment requests" in text and "purge_appointment_requests" in text
    assert_nothing_lost(held)
    assert refusals(held).filter(data__source="admin_bulk").exists()


def test_bulk_deleting_an_ancestor_is_refused_with_the_count(admin_client, held):
    home = held.get_parent()
    response = bulk_delete(admin_client, [home])

    assert response.status_code == 200
    assert "holds 3 appointment requests" in response.content.decode()
    assert Page.objects.filter(pk=home.pk).exists()
    assert_nothing_lost(held)
    assert refusals(home).filter(data__source="admin_bulk").exists()


def test_orm_and_api_deletion_cannot_cascade_to_the_requests(held):
    # The v3 API's delete and any code path end in Page.delete(): the database key refuses.
    with pytest.raises(ProtectedError):
        Page.objects.get(pk=held.pk).delete()
    with pytest.raises(ProtectedError):
        held.get_parent().specific.delete()
    assert_nothing_lost(held)


def test_an_empty_form_page_can_still_be_deleted(admin_client, form_page):
    response = admin_client.post(reverse("wagtailadmin_pages:delete", args=[form_page.pk]))

    assert response.status_code == 302
    assert not Page.objects.filter(pk=form_page.pk).exists()
    assert not ModelLogEntry.objects.filter(action=DELETE_REFUSED).exists()


def test_the_v3_api_refuses_with_a_409_problem_naming_the_count(held):
    from django.test import Client

    from tests.factories import api_token_for

    _token, key = api_token_for(UserFactory(username="api-editor", is_superuser=True, is_staff=True))
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").delete(f"/api/v3/pages/{held.pk}/")

    assert response.status_code == 409
    assert response["Content-Type"].startswith("application/problem+json")
    assert "holds 3 appointment requests" in response.json()["detail"]
    assert_nothing_lost(held)
    assert refusals(held).filter(data__source="api").exists()
