"""Form fields the appointment form builder adds to Wagtail's own."""

import unicodedata

from django import forms
from wagtail.contrib.forms.models import FORM_FIELD_CHOICES

from .phones import clean_phone

# Wagtail's field types and ours: what editors pick in the form builder.
FIELD_TYPE_CHOICES = (*FORM_FIELD_CHOICES, ("phone", "Phone number"))

PHONE_INPUT_MAX_LENGTH = 30


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


class TelInput(forms.TextInput):
    """``<input type="tel">``: phones show a dial pad, browsers offer saved numbers."""

    input_type = "tel"


class PhoneNumberField(forms.CharField):
    """A phone number valid for the clinic's region (or any country, with ``+``), cleaned to the
    format people read (``lead_forms.submissions.phones.clean_phone``): stored as shown."""

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
        return clean_phone(value)
