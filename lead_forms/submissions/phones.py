"""Phone numbers for people: stored as digits with an optional ``+``, shown grouped, dialled as ``tel:``.

The clinic's default region (``LEAD_FORMS_PHONE_REGION``, an ISO 3166 code,
default ``"US"``) decides which numbers are shown in national format
("(217) 555-0199"); numbers of other countries are shown in international
format ("+55 11 5555-0101"). A number the ``phonenumbers`` library cannot make
sense of (not a valid number) is still shown grouped ("021 755 501 99"), never as a bare run of
digits that a spreadsheet would turn into a number and strip of its leading zero.
"""

import phonenumbers

from lead_forms.conf import DEFAULTS, app_settings


def phone_region():
    """The clinic's default region for numbers typed without a country code."""
    return (app_settings.LEAD_FORMS_PHONE_REGION or DEFAULTS["LEAD_FORMS_PHONE_REGION"]).upper()


def _parse(value, region):
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _grouped(value):
    plus = "+" if value.startswith("+") else ""
    digits = "".join(ch for ch in value if ch.isdigit())
    if not digits:
        return value
    return plus + " ".join(digits[i : i + 3] for i in range(0, len(digits), 3))


def format_phone(value, region=None):
    """``value`` (a stored phone number) as people write it; ``""`` stays ``""``."""
    value = (value or "").strip()
    if not value:
        return ""
    region = region or phone_region()
    number = _parse(value, region)
    if number is None:
        return _grouped(value)
    own_country = phonenumbers.region_code_for_number(number) == region
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if own_country
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def tel_uri(value, region=None):
    """A ``tel:`` URI for ``value`` (E.164 when the number parses, else its digits), or ``""``."""
    value = (value or "").strip()
    if not value:
        return ""
    number = _parse(value, region or phone_region())
    if number is not None:
        return "tel:" + phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return "tel:" + ("+" if value.startswith("+") else "") + "".join(ch for ch in value if ch.isdigit())
