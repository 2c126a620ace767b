"""Editors build appointment forms in the Wagtail admin; only superusers route the emails."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms_site.models import HomePage
from lead_forms.models import AppointmentFormPage, AppointmentSubmission
from tests.factories import UserFactory
from tests.lead_forms.conftest import open_form

pytestmark = pytest.mark.django_db


def field(label, field_type, required=True, choices=""):
    return {
        "label": label,
        "field_type": field_type,
        "required": "on" if required else "",
        "choices": choices,
        "default_value": "",
        "help_text": "",
    }


def test_superuser_creates_a_form_page_with_fields_through_the_admin(client, home_page, make_client_ip):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    url = reverse("wagtailadmin_pages:add", args=["lead_forms", "appointmentformpage", home_page.pk])
    assert client.get(url).status_code == 200

    data = nested_form_data(
        {
            "title": "Book a consultation",
            "slug": "book-a-consultation",
            "intro": rich_text("<p>Tell us when suits you.</p>"),
            "thank_you_text": rich_text("<p>Thanks!</p>"),
            "to_address": "front-desk@clinic.example",
            "from_address": "",
            "subject": "New booking",
            "confirmation_subject": "Received",
            "confirmation_text": "",
            "form_fields": inline_formset(
                [
                    field("Full name", "singleline"),
                    field("Mobile phone", "phone"),
                    field("Preferred day", "radio", required=False, choices="Monday\nFriday"),
                ]
            ),
            "action-publish": "publish",
        }
    )
    response = client.post(url, data)

    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = AppointmentFormPage.objects.get(slug="book-a-consultation")
    assert page.live
    assert page.to_address == "front-desk@clinic.example"
    assert [(f.clean_name, f.field_type) for f in page.form_fields.all()] == [
        ("full_name", "singleline"),
        ("mobile_phone", "phone"),
        ("preferred_day", "radio"),
    ]
    html = client.get(page.url).content.decode()
    assert '<input type="tel" name="mobile_phone"' in html
    assert "Monday" in html


def test_form_pages_belong_under_the_home_page_and_have_no_children():
    assert AppointmentFormPage in HomePage.allowed_subpage_models()
    assert AppointmentFormPage.allowed_subpage_models() == []


def test_load_demo_creates_the_form_once_and_links_it_from_the_articles(demo_site, mesotherapy):
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - second run changes nothing

    form_page = AppointmentFormPage.objects.get()
    assert form_page.get_parent().specific_class is HomePage
    assert [f.label for f in form_page.form_fields.all()] == [
        "First name",
        "Last name",
        "City",
        "State",
        "Email",
        "Phone",
        "Please contact me by",
        "Receive our free newsletter",
        "I would like to",
        "Your comments",
    ]
    assert [f.required for f in form_page.form_fields.all()] == [True] * 6 + [False] * 4
    next_steps = next(block for block in mesotherapy.body if block.block_type == "next_steps")
    assert next_steps.value["page"].specific == form_page


@pytest.fixture
def editor(home_page):
    """A member of an editors group with add/edit/publish rights on the site, not a superuser."""
    group = Group.objects.create(name="Clinic editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for permission in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group, page=home_page, permission=Permission.objects.get(codename=permission)
        )
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    return user


def test_only_superusers_can_change_where_notifications_go(client, editor, demo_site):
    form_page = AppointmentFormPage.objects.get()
    edit_url = reverse("wagtailadmin_pages:edit", args=[form_page.pk])

    client.force_login(editor)
    editor_html = client.get(edit_url).content.decode()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    superuser_html = client.get(edit_url).content.decode()

    assert 'name="to_address"' not in editor_html and 'name="from_address"' not in editor_html
    assert 'name="subject"' in editor_html
    assert 'name="to_address"' in superuser_html and 'name="from_address"' in superuser_html


def test_notification_links_to_the_inbox_page_of_that_request(client, demo_site, make_client_ip):
    form_page = AppointmentFormPage.objects.get()
    wanted = AppointmentSubmission.objects.create(page=form_page, form_data={"first_name": "Wantedname"})
    AppointmentSubmission.objects.create(page=form_page, form_data={"first_name": "Othername"})
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    url = form_page.get_admin_submission_url(wanted).replace("http://testserver", "")
    html = client.get(url).content.decode()

    assert "Wantedname" in html and wanted.reference in html
    assert "Othername" not in html
    # The link needs a signed-in user with access to the form.
    client.logout()
    assert client.get(url).status_code == 302


def test_form_token_is_issued_for_api_clients(demo_site, client):
    form_page = AppointmentFormPage.objects.get()
    # The page's own token and the API helper produce tokens the same check accepts.
    from lead_forms.submissions import spam

    assert spam.check_time_token(form_page.pk, form_page.issue_form_token()) == ""
    assert spam.check_time_token(form_page.pk, open_form(client, form_page, "192.0.2.1")["form-token"]) == ""
