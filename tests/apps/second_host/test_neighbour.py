"""The plugin is a good neighbour in the admin of a host with its own form pages: Wagtail's
"Forms" menu and the host's form submissions stay, appointment requests never show in
Wagtail's generic form views, and the Ratings menu shows only to those who may use it."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from wagtail.models import GroupPagePermission

from tests.apps.second_host.models import FormField, FormPage
from tests.factories import UserFactory
from tests.lead_forms.conftest import make_submission

FORMS_MENU = '"name": "forms"'
RATINGS_MENU = '"name": "ratings"'
INBOX = "lead_forms_appointmentsubmission_modeladmin_index"
PATIENT = "Quuxberta"


@pytest.fixture
def contact_page(host_home):
    page = host_home.add_child(instance=FormPage(title="Contact us", slug="contact"))
    FormField.objects.create(page=page, sort_order=0, label="Your message", field_type="multiline")
    page.get_submission_class().objects.create(page=page, form_data={"your_message": "Opening hours?"})
    return page


@pytest.fixture
def appointment_request(form_page):
    return make_submission(form_page, full_name=PATIENT, first_name=PATIENT)


def editor(host_home, *codenames, page_rights=True):
    """A signed-in editor of the host's pages (none with ``page_rights=False``), with the model
    permissions ``codenames`` ("app.codename")."""
    group = Group.objects.create(name=f"Editors {'-'.join(codenames) or 'plain'}")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for name in codenames:
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for codename in ("add_page", "change_page", "publish_page") if page_rights else ():
        GroupPagePermission.objects.create(
            group=group, page=host_home, permission=Permission.objects.get(codename=codename)
        )
    user = UserFactory(username=group.name.replace(" ", "-"))
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    client.group = group
    return client


def assert_refused(response):
    """Wagtail's admin answers PermissionDenied with a redirect to the dashboard."""
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")


def admin_home(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_hosts_own_form_keeps_its_forms_menu_entry_and_submissions(
    host_home, contact_page, appointment_request
):
    client = editor(host_home)

    assert FORMS_MENU in admin_home(client)
    listing = client.get(reverse("wagtailforms:index"))
    assert listing.status_code == 200
    assert "Contact us" in listing.content.decode()
    submissions = client.get(reverse("wagtailforms:list_submissions", args=[contact_page.pk]))
    assert submissions.status_code == 200
    assert "Opening hours?" in submissions.content.decode()


def test_appointment_forms_stay_out_of_the_forms_views_of_editors_without_the_permission(
    host_home, contact_page, form_page, appointment_request
):
    client = editor(host_home)

    listing = client.get(reverse("wagtailforms:index"))
    assert listing.status_code == 200
    assert form_page.title not in listing.content.decode()
    for name in ("wagtailforms:list_submissions", "wagtailforms:list_submissions_results"):
        for query in ({}, {"export": "csv"}):
            assert_refused(client.get(reverse(name, args=[form_page.pk]), query))


def test_wagtails_generic_submission_views_never_show_patient_data(
    host_home, contact_page, form_page, appointment_request
):
    # A coordinator may read requests, but only in the (audited) inbox the generic views lead to.
    client = editor(host_home, "lead_forms.view_appointment_requests")

    listing = client.get(reverse("wagtailforms:index"))
    assert listing.status_code == 200
    assert "Contact us" in listing.content.decode() and PATIENT not in listing.content.decode()
    for name in ("wagtailforms:list_submissions", "wagtailforms:list_submissions_results"):
        response = client.get(reverse(name, args=[form_page.pk]))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse(INBOX)}?form={form_page.pk}"
    inbox = client.get(f"{reverse(INBOX)}?form={form_page.pk}")
    assert inbox.status_code == 200
    assert PATIENT in inbox.content.decode()


def test_the_forms_menu_goes_only_where_it_would_list_appointment_forms_alone(host_home, form_page):
    # A coordinator without page rights: the inbox is the door, Wagtail's listing would refuse.
    coordinator = editor(host_home, "lead_forms.view_appointment_requests", page_rights=False)
    home = admin_home(coordinator)
    assert FORMS_MENU not in home
    assert '"name": "appointment-requests"' in home

    # Given rights on a form page of the host's own, the same user has the Forms menu back.
    host_form = host_home.add_child(instance=FormPage(title="Contact us", slug="contact"))
    GroupPagePermission.objects.create(
        group=coordinator.group,
        page=host_form,
        permission=Permission.objects.get(codename="change_page"),
    )
    assert FORMS_MENU in admin_home(coordinator)


def test_the_ratings_menu_shows_only_to_those_who_may_see_ratings(host_home):
    assert RATINGS_MENU not in admin_home(editor(host_home))

    for permission in ("treatment_pages.view_rating", "treatment_pages.delete_rating"):
        html = admin_home(editor(host_home, permission))
        assert RATINGS_MENU in html
        assert reverse("wagtailsnippets_treatment_pages_rating:list") in html


def test_an_editor_without_ratings_permissions_cannot_open_what_the_menu_hides(host_home):
    assert_refused(editor(host_home).get(reverse("wagtailsnippets_treatment_pages_rating:list")))
