"""Phone numbers: the one normaliser, built on ``phonenumbers`` (Google's libphonenumber rules).

Every place that reads, shows, dials or searches a phone number goes through here:

- ``clean_phone(text)``: the form's validation. The number must be a valid number of
  the clinic's region (``LEAD_FORMS_PHONE_REGION``, an ISO 3166 code, default ``"US"``)
  or, written with ``+`` and its country code, of any country; ``217 555 01`` is refused
  for a US clinic with a message saying what to fix. It returns the number as people
  read it, which is what the request stores: formatted once, when it arrives.
- ``display_phone(stored)``: a stored number as people read it: national format for
  the clinic's own region ("(217) 555-0142"), international for others
  ("+55 11 5555-0101"). Numbers stored that way (every request since the phone
  field validates with ``phonenumbers``) are returned as they are, at no cost; older
  ones, stored as bare digits, are formatted on the way out.
- ``tel_uri(stored)``: a ``tel:`` link (E.164 when the number parses).
- ``search_forms(text)``: what the search tokens (``lead_forms.encryption.blind_index``)
  are made of, for a stored number and for whatever staff type in the search box,
  so "+1 217 555 0142", "(217) 555-0142" and "2175550142" find the same request.

``django-phonenumber-field`` would add a model field holding E.164 text; here numbers
live inside encrypted answers and encrypted columns, so it has nothing to hold: the
library it wraps (``phonenumbers``) is used directly.
"""

import functools
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lead_forms.conf import DEFAULTS, app_settings

# Characters people use when writing a number; anything else is not one.
PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]+$")
# E.164 allows at most 15 digits; fewer than 7 is no reachable phone number.
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15
# How numbers were stored before they were formatted on arrival: digits, an optional "+".
_BARE_DIGITS = re.compile(r"^\+?[0-9]+$")


def phone_region():
    """The clinic's default region for numbers typed without a country code."""
    return (app_settings.LEAD_FORMS_PHONE_REGION or DEFAULTS["LEAD_FORMS_PHONE_REGION"]).upper()


def _prepared(text):
    text = (text or "").strip()
    # The international call prefix many patients type instead of "+".
    return "+" + text[2:] if text.startswith("00") else text


def parse_phone(text, region=None):
    """``text`` as a valid ``phonenumbers.PhoneNumber`` (``region`` for numbers without ``+``), or None."""
    text = _prepared(text)
    if not text or not PHONE_CHARACTERS.match(text):
        return None
    try:
        number = phonenumbers.parse(text, region or phone_region())
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _formatted(number, region):
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(number) == region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


@functools.cache
def _example(region):
    number = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return _formatted(number, region) if number is not None else "+1 201-555-0123"


def clean_phone(text, region=None):
    """``text`` (as a patient typed it) formatted for people, or ``ValidationError`` saying what to fix."""
    region = region or phone_region()
    text = _prepared(text)
    if not PHONE_CHARACTERS.match(text) or "+" in text[1:]:
        raise ValidationError(
            _(
                "Enter a phone number using digits, spaces, brackets, dots or dashes, "
                "with an optional + at the start."
            ),
            code="invalid_phone",
        )
    number = parse_phone(text, region)
    if number is not None:
        return _formatted(number, region)
    example = {"example": _example(region)}
    try:
        reason = phonenumbers.is_possible_number_with_reason(phonenumbers.parse(text, region))
    except phonenumbers.NumberParseException:
        reason = None
    if reason in (phonenumbers.ValidationResult.TOO_SHORT, phonenumbers.ValidationResult.INVALID_LENGTH):
        message = _(
            "This phone number is missing digits. Enter the whole number with its area code, "
            "for example %(example)s."
        )
    elif reason == phonenumbers.ValidationResult.TOO_LONG:
        message = _("This phone number has too many digits. Enter one number, for example %(example)s.")
    else:
        message = _(
            "This is not a phone number we can call. Enter the whole number with its area code, "
            "for example %(example)s, or start with + and the country code for a number abroad."
        )
    raise ValidationError(message % example, code="invalid_phone_number")


def display_phone(stored, region=None):
    """A stored phone number as people read it; ``""`` stays ``""``.

    Numbers stored since they are formatted on arrival come back unchanged (a
    regular-expression check, no parsing). Older ones (bare digits) are formatted;
    one that is not a valid number is shown grouped ("021 755 501 99"), never as a bare
    run of digits that a spreadsheet would turn into a number and strip of its leading zero.
    """
    stored = (stored or "").strip()
    if not _BARE_DIGITS.match(stored):
        return stored
    region = region or phone_region()
    number = parse_phone(stored, region)
    if number is not None:
        return _formatted(number, region)
    plus = "+" if stored.startswith("+") else ""
    digits = stored.lstrip("+")
    return plus + " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))


def tel_uri(stored, region=None):
    """A ``tel:`` URI for ``stored`` (E.164 when the number parses, else its digits), or ``""``."""
    stored = (stored or "").strip()
    if not stored:
        return ""
    number = parse_phone(stored, region)
    if number is not None:
        return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "tel:" + ("+" if stored.startswith("+") else "") + "".join(ch for ch in stored if ch.isdigit())


def _digits_if_phone_shaped(text):
    text = _prepared(text)
    if not PHONE_CHARACTERS.match(text):
        return ""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits if MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS else ""


def index_form(text, region=None):
    """What a stored phone number is indexed by (E.164, or its digits when it does not parse), or ``""``."""
    digits = _digits_if_phone_shaped(text)
    if not digits:
        return ""
    number = parse_phone(text, region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else digits


def search_forms(text, region=None):
    """Every form a request holding the number ``text`` (as staff typed it) may be indexed by; ``[]`` if none.

    The number's E.164 form (``index_form``), and the digits a request stored before
    numbers were validated with ``phonenumbers`` was indexed by: what the patient
    typed, less its punctuation, which may have been the international digits
    ("+1 217 555 0142"), the national ones with a trunk prefix ("020 7946 0958") or
    without ("(217) 555-0142"). So every format finds old and new requests alike,
    with no re-indexing of stored requests.
    """
    digits = _digits_if_phone_shaped(text)
    if not digits:
        return []
    number = parse_phone(text, region)
    if number is None:
        return [digits]
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    forms = (e164, e164[1:], str(phonenumbers.national_significant_number(number)), national, digits)
    return list(dict.fromkeys(re.sub(r"\D", "", form) if form is national else form for form in forms))
