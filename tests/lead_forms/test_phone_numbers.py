"""Phone numbers through the one normaliser (lead_forms.submissions.phones, built on phonenumbers):
validated for the clinic's region, stored as shown, found by any format, references with or without "AR-"."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lead_forms.encryption import blind_index
from lead_forms.encryption.crypto import get_search_keys
from lead_forms.models import AppointmentSubmission, SearchToken
from lead_forms.submissions.phones import display_phone, search_forms, tel_uri
from tests.lead_forms.conftest import VALID_DATA, make_submission, post_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("(217) 555-0142", "(217) 555-0142"),
        ("+1 217 555 0142", "(217) 555-0142"),
        ("217.555.0142", "(217) 555-0142"),
        ("0044 20 7946 0958", "+44 20 7946 0958"),
    ],
)
def test_a_valid_number_is_stored_once_formatted_as_people_read_it(
    csrf_client, form_page, client_ip, typed, stored
):
    response = post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "phone": typed})

    assert response.status_code == 303
    submission = AppointmentSubmission.objects.get()
    assert submission.form_data["phone"] == stored
    assert submission.phone == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("217 555 01", "This phone number is missing digits. Enter the whole number with its area code"),
        ("217 555 014299", "This phone number has too many digits."),
        ("(111) 555-0142", "This is not a phone number we can call."),
        ("call me", "Enter a phone number using digits, spaces, brackets, dots or dashes"),
    ],
)
def test_a_number_the_region_does_not_allow_is_refused_saying_what_to_fix(
    csrf_client, form_page, client_ip, typed, message
):
    response = post_form(csrf_client, form_page, client_ip, {**VALID_DATA, "phone": typed})

    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert message in html
    if "area code" in message:
        assert "for example (201) 555-0123" in html  # the region's own example, in its own format
    assert "Zelda" in html  # the other answers are kept
    assert not AppointmentSubmission.objects.exists()


def test_the_region_setting_decides_what_is_national(settings):
    settings.LEAD_FORMS_PHONE_REGION = "GB"
    from lead_forms.submissions.phones import clean_phone

    assert clean_phone("020 7946 0958") == "020 7946 0958"
    assert clean_phone("+1 217 555 0142") == "+1 217-555-0142"


@pytest.fixture
def patient(form_page):
    return make_submission(form_page, first_name="Phonefinder", phone="(217) 555-0142")


@pytest.mark.parametrize(
    "term", ["+1 217 555 0142", "(217) 555-0142", "2175550142", "217-555-0142", "+12175550142", "0142"]
)
def test_a_request_is_found_by_its_phone_in_any_format(patient, form_page, term):
    make_submission(form_page, first_name="Someoneelse", phone="(217) 555-0199")

    assert list(AppointmentSubmission.objects.search(term)) == [patient]


@pytest.mark.parametrize("term", ["+1 217 555 0142", "(217) 555-0142", "2175550142"])
def test_a_request_indexed_before_phonenumbers_is_found_by_any_format_too(form_page, term):
    """Requests stored before validation used phonenumbers were indexed by the digits typed."""
    for typed_digits in ("2175550142", "12175550142"):
        old = make_submission(form_page, first_name="Oldrow", phone="")
        keys = get_search_keys()
        SearchToken.objects.create(submission=old, token=keys.token(blind_index.PHONE, typed_digits))

        assert list(AppointmentSubmission.objects.search(term)) == [old]
        old.delete()


def test_a_foreign_number_typed_without_its_country_code_is_still_found_by_its_digits(form_page):
    found = make_submission(form_page, first_name="Abroad", phone="02079460958")

    assert search_forms("020 7946 0958") == ["02079460958"]
    assert list(AppointmentSubmission.objects.search("020 7946 0958")) == [found]


@pytest.mark.parametrize("how", ["as is", "lower case", "without AR-", "without AR- in lower case", "spaced"])
def test_a_reference_is_found_with_or_without_its_prefix(patient, how):
    reference = patient.reference
    term = {
        "as is": reference,
        "lower case": reference.lower(),
        "without AR-": reference.removeprefix("AR-"),
        "without AR- in lower case": reference.removeprefix("AR-").lower(),
        "spaced": f" {reference[:7]} {reference[7:]} ",
    }[how]

    assert list(AppointmentSubmission.objects.search(term)) == [patient]


def test_search_combines_indexed_lookups_with_union_never_an_or(patient):
    with CaptureQueriesContext(connection) as queries:
        list(AppointmentSubmission.objects.search(patient.reference.removeprefix("AR-")))

    (sql,) = [query["sql"] for query in queries.captured_queries]
    assert " UNION " in sql
    assert " OR " not in sql
    # The reference is compared exactly (the unique index), not through UPPER()/LIKE.
    assert "UPPER(" not in sql.upper() and " LIKE " not in sql.upper()


def test_numbers_stored_before_formatting_are_shown_and_dialled_formatted():
    assert display_phone("2175550142") == "(217) 555-0142"
    assert display_phone("+12175550142") == "(217) 555-0142"
    assert display_phone("(217) 555-0142") == "(217) 555-0142"
    assert display_phone("02175550199") == "021 755 501 99"  # no valid number: grouped, never bare digits
    assert tel_uri("(217) 555-0142") == "tel:+12175550142"
    assert tel_uri("+44 20 7946 0958") == "tel:+442079460958"
