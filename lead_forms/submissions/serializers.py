"""An appointment form's field definitions as data, for API clients that render the form themselves.

Read from the same generated form class the page validates with, so what a front
end is told (names, types, required, choices, lengths) is exactly what is checked.
The spam-defence fields and the clinic's addresses are never part of it.
"""

from typing import Annotated, Literal

from pydantic import Field as PydanticField
from rest_framework.fields import Field
from typing_extensions import TypedDict  # pydantic (the v3 schema) needs it before Python 3.12

from lead_forms.submissions.fields import FIELD_TYPE_CHOICES

# An enum in the OpenAPI document, so a front end's types list every kind of input it must render.
FormFieldType = Literal[tuple(value for value, _label in FIELD_TYPE_CHOICES)]


class ChoiceDict(TypedDict):
    value: str
    label: str


# What a JSON answer to each form builder field type must be (``answer_type`` in a field
# definition). The API refuses any other JSON type with a 422 naming the field.
ANSWER_TEXT = "string"
ANSWER_NUMBER = "number"
ANSWER_BOOLEAN = "boolean"
ANSWER_LIST = "array"
ANSWER_TYPES = {
    "checkbox": ANSWER_BOOLEAN,
    "checkboxes": ANSWER_LIST,
    "multiselect": ANSWER_LIST,
    "number": ANSWER_NUMBER,
}
# In words, for error messages and the API documentation.
ANSWER_TYPE_DESCRIPTIONS = {
    ANSWER_TEXT: "text (a JSON string)",
    ANSWER_NUMBER: "a number (a JSON number, or a string holding one)",
    ANSWER_BOOLEAN: "true or false",
    ANSWER_LIST: "a list of the chosen values (a JSON array of strings)",
}


AnswerType = Literal["string", "number", "boolean", "array"]


def answer_type_for(field_type):
    """The JSON type an answer to a field of ``field_type`` must have: every other type takes text."""
    return ANSWER_TYPES.get(field_type, ANSWER_TEXT)


class _FormFieldBase(TypedDict):
    name: str
    label: str
    type: FormFieldType
    required: bool
    help_text: str
    choices: list[ChoiceDict]
    max_length: int | None


class TextFormFieldDict(_FormFieldBase):
    """A field answered with text: ``default`` is the text to pre-fill (or null)."""

    answer_type: Literal["string"]
    default: str | None


class NumberFormFieldDict(_FormFieldBase):
    """A number field: ``default`` is the number to pre-fill, as text (or null)."""

    answer_type: Literal["number"]
    default: str | None


class BooleanFormFieldDict(_FormFieldBase):
    """A checkbox: ``default`` says whether it starts ticked (send it back as is: it is a valid answer)."""

    answer_type: Literal["boolean"]
    default: bool


class ListFormFieldDict(_FormFieldBase):
    """Checkboxes or a multiple select: ``default`` lists the values chosen at first."""

    answer_type: Literal["array"]
    default: list[str]


# One field definition; ``answer_type`` says which, and types ``default`` as the answer it pre-fills.
FormFieldDict = Annotated[
    TextFormFieldDict | NumberFormFieldDict | BooleanFormFieldDict | ListFormFieldDict,
    PydanticField(discriminator="answer_type"),
]


def _default(answer_type, value):
    """The field's initial value as the JSON answer it stands for (``answer_type``)."""
    if answer_type == ANSWER_BOOLEAN:
        # As Django's checkbox renders it: ticked for any value but None, False and "".
        return value not in (None, False, "")
    if answer_type == ANSWER_LIST:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            # Wagtail's form builder splits a default by lines, else by commas.
            value = value.splitlines() if "\n" in value else value.split(",")
        return [str(item).strip() for item in value if str(item).strip()]  # no default is [""] there
    if value is None or isinstance(value, str):
        return value
    return str(value)


def field_definitions(page) -> list[FormFieldDict]:
    """The page's form builder fields, in the editors' order."""
    form = page.get_form(page=page, user=None)
    definitions = []
    for form_field in page.get_form_fields():
        field = form.fields.get(form_field.clean_name)
        if field is None:
            continue
        answer_type = answer_type_for(form_field.field_type)
        definitions.append(
            {
                "name": form_field.clean_name,
                "label": str(field.label),
                "type": form_field.field_type,
                "answer_type": answer_type,
                "required": field.required,
                "help_text": str(field.help_text or ""),
                "choices": [
                    {"value": str(value), "label": str(label)}
                    for value, label in getattr(field, "choices", [])
                ],
                "max_length": getattr(field, "max_length", None),
                "default": _default(answer_type, field.initial),
            }
        )
    return definitions


class FormDefinitionField(Field):
    """v2 API field: ``[{"name", "label", "type", "required", "help_text", "choices", ...}]``."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page) -> list[FormFieldDict]:
        return field_definitions(page)
