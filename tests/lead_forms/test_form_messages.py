"""What the form tells patients: a privacy notice before they send, errors that name
their field, and page titles that say what happened."""

import re

import pytest

from lead_forms.models import AppointmentFormField, AppointmentSubmission
from lead_forms.submissions.forms import error_messages_for
from tests.lead_forms.conftest import VALID_DATA, open_form, post_form

pytestmark = pytest.mark.django_db


def title(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def test_the_privacy_notice_and_policy_link_sit_above_the_send_button(client, form_page, treatment_index):
    form_page.privacy_notice = "Only our coordinator reads your request."
    form_page.privacy_page = treatment_index  # any published page will do
    form_page.save_revision().publish()

    response = client.get(form_page.url)

    assert response.status_code == 200
    html = response.content.decode()
    notice = html.index("Only our coordinator reads your request.")
    link = html.index(f'<a href="{treatment_index.url}">{treatment_index.title}</a>', notice)
    button = html.index('<button type="submit" class="appointment-form__submit">')
    last_field = html.index('name="your_comments"')
    assert last_field < notice < link < button


def test_the_demo_form_has_a_privacy_notice(client, form_page):
    html = client.get(form_page.url).content.decode()

    assert "Only our patient coordinator and doctors read your request." in html


def test_no_link_to_an_unpublished_privacy_page(client, form_page, treatment_index):
    form_page.privacy_page = treatment_index
    form_page.save_revision().publish()
    treatment_index.unpublish()

    html = client.get(form_page.url).content.decode()

    assert f'href="{treatment_index.url}"' not in html.split('class="appointment-form"', 1)[1]


def test_error_messages_name_their_field_in_the_summary_and_next_to_it(csrf_client, form_page, client_ip):
    form_page.form_fields.filter(clean_name="please_contact_me_by").update(required=True)
    data = {**VALID_DATA, "last_name": "", "email": "zelda-at-example", "please_contact_me_by": ""}

    response = post_form(csrf_client, form_page, client_ip, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_last_name">Enter your last name</a>' in html
    assert '<a href="#id_email">Enter an email address like name@example.com</a>' in html
    assert "Choose an answer for “Please contact me by”" in html
    assert re.search(r'id="id_last_name_error">.*Enter your last name', html)
    assert "This field is required" not in html
    assert not AppointmentSubmission.objects.exists()


def test_the_page_title_starts_with_error_when_the_form_comes_back_with_errors(
    csrf_client, form_page, client_ip
):
    shown = csrf_client.get(form_page.url, REMOTE_ADDR=client_ip)
    with_errors = post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "last_name": ""})

    assert not title(shown).startswith("Error")
    assert title(with_errors) == f"Error: {title(shown)}"


def test_the_thank_you_page_has_its_own_title(csrf_client, form_page, client_ip):
    shown = csrf_client.get(form_page.url, REMOTE_ADDR=client_ip)
    thanks = post_form(csrf_client, form_page, client_ip, VALID_DATA, follow=True)

    assert thanks.status_code == 200
    assert title(thanks).startswith("Request received | ")
    assert title(thanks) != title(shown)


def test_messages_are_derived_from_any_label_the_editor_writes(csrf_client, second_form, client_ip):
    for order, (label, field_type, choices) in enumerate(
        [
            ("Date of birth", "date", ""),
            ("Have you had this treatment before?", "radio", "Yes\nNo"),
            ("Areas to treat", "checkboxes", "Face\nNeck"),
            ("I agree to be contacted", "checkbox", ""),
            ("Your website", "url", ""),
            ("NHS number", "number", ""),
        ],
        start=10,
    ):
        AppointmentFormField.objects.create(
            page=second_form,
            sort_order=order,
            label=label,
            field_type=field_type,
            choices=choices,
            required=True,
        )
    tokens = open_form(csrf_client, second_form, client_ip)

    html = csrf_client.post(
        second_form.url,
        {**tokens, "email": "x", "date_of_birth": "32/13/2020", "your_website": "nope", "nhs_number": "abc"},
        REMOTE_ADDR=client_ip,
    ).content.decode()

    for message in (
        "Enter your full name",
        "Enter an email address like name@example.com",
        "Enter your date of birth as a date, like 2027-03-21",
        "Choose an answer for “Have you had this treatment before?”",
        "Choose at least one answer for “Areas to treat”",
        "Tick “I agree to be contacted” to continue",
        "Enter a web address like https://www.example.com",
        "Enter your NHS number as a number, like 12",
    ):
        assert message in html, message


def test_a_question_label_is_quoted_and_a_percent_sign_is_kept():
    question = AppointmentFormField(label="Anything else?", field_type="multiline")
    percent = AppointmentFormField(label="Discount %", field_type="singleline")

    assert error_messages_for(question)["required"] == "Answer the question “Anything else?”"
    assert (
        error_messages_for(percent)["max_length"] % {"limit_value": 200, "show_value": 201}
        == "Discount % must be 200 characters or fewer (it has 201)"
    )
