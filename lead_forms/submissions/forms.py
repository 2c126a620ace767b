"""The appointment form: Wagtail's form builder plus a phone field, length limits,
accessible error markup and the spam-defence fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from . import spam
from .fields import PhoneNumberField, remove_control_characters

SINGLE_LINE_MAX_LENGTH = 200
MULTI_LINE_MAX_LENGTH = 3000
EMAIL_MAX_LENGTH = 254

# Lets browsers and password managers fill in the demo's personal fields (WCAG 1.3.5).
AUTOCOMPLETE_BY_NAME = {
    "first_name": "given-name",
    "last_name": "family-name",
    "name": "name",
    "full_name": "name",
    "city": "address-level2",
    "state": "address-level1",
    "zip": "postal-code",
    "zip_code": "postal-code",
    "postcode": "postal-code",
    "email": "email",
    "email_address": "email",
    "phone": "tel",
}


def prohibit_lone_surrogates(value):
    """Refuse text holding a lone UTF-16 surrogate (e.g. JSON's ``"\\ud800"``).

    Such a string is not text: it cannot be encoded as UTF-8, so neither database
    can store it. HTML posts never carry one (Django decodes them with replacement
    characters); a JSON body can, and without this the save fails with a server error.
    """
    if isinstance(value, str) and any("\ud800" <= char <= "\udfff" for char in value):
        raise ValidationError(
            _(
                "Remove the invalid character (an unpaired UTF-16 surrogate such as \\ud800) from this answer."
            ),
            code="invalid_character",
        )


class AppointmentBaseForm(BaseForm):
    """Base of every generated appointment form.

    Adds the honeypot and time-trap fields (not form builder fields, so they are
    never stored or exported). Django itself marks invalid inputs with
    ``aria-invalid`` and points ``aria-describedby`` at the help and error texts;
    the templates do the same for grouped choices on their ``<fieldset>``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[spam.HONEYPOT_FIELD] = forms.CharField(
            label=_("Leave this field empty"),
            required=False,
            max_length=200,
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )
        self.fields[spam.TIME_TRAP_FIELD] = forms.CharField(
            required=False,
            max_length=500,
            widget=forms.HiddenInput,
            initial=spam.issue_time_token(self.page.pk if self.page else None),
        )
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                # Like Django's own ProhibitNullCharactersValidator, on every text field.
                field.validators.append(prohibit_lone_surrogates)
            autocomplete = AUTOCOMPLETE_BY_NAME.get(name)
            if autocomplete and "autocomplete" not in field.widget.attrs:
                field.widget.attrs["autocomplete"] = autocomplete

    def clean(self):
        cleaned_data = super().clean()
        for name, value in cleaned_data.items():
            cleaned_data[name] = remove_control_characters(value)
        return cleaned_data

    @property
    def spam_field_names(self):
        return (spam.HONEYPOT_FIELD, spam.TIME_TRAP_FIELD)

    def visible_patient_fields(self):
        """The form builder's fields, in the editor's order (the honeypot is rendered apart)."""
        return [field for field in self.visible_fields() if field.name not in self.spam_field_names]

    def honeypot(self):
        return self[spam.HONEYPOT_FIELD]

    def time_trap(self):
        return self[spam.TIME_TRAP_FIELD]

    def get_spam_reason(self):
        """Why this (valid) submission looks automated, or ``""``. Call after ``is_valid()``."""
        page_id = self.page.pk if self.page else None
        return spam.check_honeypot(self.cleaned_data.get(spam.HONEYPOT_FIELD)) or spam.check_time_token(
            page_id, self.cleaned_data.get(spam.TIME_TRAP_FIELD)
        )

    def get_submission_data(self):
        """The cleaned form builder values: what is stored, without the spam-defence fields."""
        return {name: value for name, value in self.cleaned_data.items() if name not in self.spam_field_names}


TEXT_FIELD_TYPES = {
    "singleline",
    "multiline",
    "email",
    "phone",
    "number",
    "url",
    "date",
    "datetime",
    "hidden",
}
CHOICE_FIELD_TYPES = {"dropdown", "radio"}
MULTIPLE_CHOICE_FIELD_TYPES = {"checkboxes", "multiselect"}


def _what(label):
    """How an error message names the answer: "Last name" -> "your last name"."""
    label = label.strip()
    # Keep acronyms ("ZIP code", "NHS number") as the editor wrote them.
    lowered = label if label[:2].isupper() else label[:1].lower() + label[1:]
    your = gettext("your %(label)s")
    if lowered.lower().startswith(your.split("%(label)s")[0].strip().lower() + " "):
        return lowered
    return your % {"label": lowered}


def error_messages_for(field):
    """Error messages that say which answer is wrong and how to put it right.

    Derived from the editor's label and the field type, for every form built, so a
    screen reader user hearing the error summary knows which field each line is about.
    Placeholders for Django's own parameters (``%(limit_value)d``) are left in place.
    """
    label = field.label.strip()
    quoted = {"label": label}
    safe_label = label.replace("%", "%%")
    field_type = field.field_type
    messages = {}
    if field_type in TEXT_FIELD_TYPES:
        if label.endswith("?"):
            messages["required"] = gettext("Answer the question “%(label)s”") % quoted
        else:
            messages["required"] = gettext("Enter %(what)s") % {"what": _what(label)}
        messages["max_length"] = gettext(
            "%(label)s must be %%(limit_value)d characters or fewer (it has %%(show_value)d)"
        ) % {"label": safe_label}
    if field_type == "email":
        messages["invalid"] = gettext("Enter an email address like name@example.com")
    elif field_type == "url":
        messages["invalid"] = gettext("Enter a web address like https://www.example.com")
    elif field_type == "number":
        messages["invalid"] = gettext("Enter %(what)s as a number, like 12") % {"what": _what(label)}
    elif field_type in ("date", "datetime"):
        messages["invalid"] = gettext("Enter %(what)s as a date, like 2027-03-21") % {"what": _what(label)}
    elif field_type in CHOICE_FIELD_TYPES:
        messages["required"] = gettext("Choose an answer for “%(label)s”") % quoted
    elif field_type in MULTIPLE_CHOICE_FIELD_TYPES:
        messages["required"] = gettext("Choose at least one answer for “%(label)s”") % quoted
    elif field_type == "checkbox":
        messages["required"] = gettext("Tick “%(label)s” to continue") % quoted
    if field_type in CHOICE_FIELD_TYPES | MULTIPLE_CHOICE_FIELD_TYPES:
        messages["invalid_choice"] = gettext("Choose one of the answers listed for “%(label)s”") % {
            "label": safe_label
        }
    return messages


class AppointmentFormBuilder(FormBuilder):
    """Wagtail's form builder with a phone field type, sensible maximum lengths and
    error messages that name their field."""

    def get_field_options(self, field):
        options = super().get_field_options(field)
        options["error_messages"] = error_messages_for(field)
        return options

    def create_singleline_field(self, field, options):
        options["max_length"] = SINGLE_LINE_MAX_LENGTH
        return forms.CharField(**options)

    def create_multiline_field(self, field, options):
        options["max_length"] = MULTI_LINE_MAX_LENGTH
        options.setdefault("widget", forms.Textarea(attrs={"rows": 5}))
        return forms.CharField(**options)

    def create_email_field(self, field, options):
        options["max_length"] = EMAIL_MAX_LENGTH
        return forms.EmailField(**options)

    def create_phone_field(self, field, options):
        return PhoneNumberField(**options)

    def get_form_class(self):
        return type("AppointmentForm", (AppointmentBaseForm,), self.formfields)
