"""Form fields the appointment form builder adds to Wagtail's own."""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES

# Wagtail's field types and ours: what editors pick in the form builder.
FIELD_TYPE_CHOICES = (*FORM_FIELD_CHOICES, ("phone", "Phone number"))

# E.164 allows at most 15 digits; fewer than 7 is no reachable phone number.
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15
PHONE_INPUT_MAX_LENGTH = 30
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]+$")


def remove_control_characters(value):
    """``value`` without control characters (C0, DEL, C1); line breaks become ``\n``, tabs spaces.

    Answers are stored as people typed them, minus the invisible characters
    that only a script or a paste from another program puts there (they hide
    a leading ``=`` from naive formula guards and are not allowed in XLSX).
    Lists (multiple choices) are cleaned item by item; other types pass through.
    """
    if isinstance(value, list | tuple):
        return type(value)(remove_control_characters(item) for item in value)
    if not isinstance(value, str) or value.isprintable():
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in value if ch == "\n" or unicodedata.category(ch) != "Cc")


def normalise_phone_number(value):
    """Return ``value`` as digits with an optional leading ``+``, or raise ValidationError.

    Patients type numbers in every format ("(217) 555-0142", "+1 217.555.0142");
    the coordinator calls back from one normalised form.
    """
    value = value.strip()
    if value.startswith("00"):
        # The international call prefix many patients type instead of "+".
        value = "+" + value[2:]
    if not _PHONE_CHARACTERS.match(value) or "+" in value[1:]:
        raise ValidationError(
            _(
                "Enter a phone number using digits, spaces, brackets, dots or dashes, "
                "with an optional + at the start."
            ),
            code="invalid_phone",
        )
    digits = "".join(ch for ch in value if ch.isdigit())
    if not MIN_PHONE_DIGITS <= len(digits) <= MAX_PHONE_DIGITS:
        raise ValidationError(
            _("Enter a phone number of %(min)d to %(max)d digits, including the area code.")
            % {"min": MIN_PHONE_DIGITS, "max": MAX_PHONE_DIGITS},
            code="invalid_phone_length",
        )
    return ("+" if value.startswith("+") else "") + digits


class TelInput(forms.TextInput):
    """``<input type="tel">``: phones show a dial pad, browsers offer saved numbers."""

    input_type = "tel"


class PhoneNumberField(forms.CharField):
    """A phone number: accepts the usual punctuation, cleans to digits and an optional ``+``."""

    widget = TelInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", PHONE_INPUT_MAX_LENGTH)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return normalise_phone_number(value)
