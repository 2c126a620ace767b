"""StreamField blocks editors compose treatment articles from.

Block names (the keys in ``TreatmentBodyBlock``) are stored in the database:
renaming one needs a data migration.
"""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from typing_extensions import TypedDict  # pydantic (the v3 schema) needs it before Python 3.12
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

from treatment_pages.articles.faq import FAQBlock
from treatment_pages.articles.prefetch import get_prefetched
from treatment_pages.articles.renditions import (
    API_RENDITION_SPECS,
    ImageWithRenditionsDict,
    image_api_representation,
)
from treatment_pages.conf import appointment_page_types

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]

# The one size body images are shown at; the block template and the bulk
# loader below both use it, so renditions arrive with the images.
BODY_IMAGE_RENDITION = "max-1000x800"


def _request_from(context):
    return context.get("request") if context else None


class PrefetchedChoosersMixin:
    """For StructBlocks with chooser children: read chosen objects preloaded by
    ``treatment_pages.articles.prefetch.prefetched_choosers`` instead of querying per value.

    Outside that context (page rendering, the admin) it is StructBlock's own
    ``bulk_to_python``, unchanged.
    """

    def bulk_to_python(self, values):
        values = list(values)
        choosers = {
            name: get_prefetched(child.model_class)
            for name, child in self.child_blocks.items()
            if isinstance(child, blocks.ChooserBlock)
        }
        if not choosers or any(loaded is None for loaded in choosers.values()):
            return super().bulk_to_python(values)
        result = []
        for raw in values:
            children = []
            for name, child in self.child_blocks.items():
                if name not in raw:
                    children.append((name, child.get_default()))
                elif name in choosers:
                    # A deleted object reads as None, as bulk_to_python would give.
                    children.append((name, choosers[name].get(raw[name])))
                else:
                    children.append((name, child.to_python(raw[name])))
            result.append(self._to_struct_value(children))
        return result


class HeadingBlock(blocks.StructBlock):
    """A section heading; h2 for sections, h3 for sub-sections."""

    text = blocks.CharBlock(max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Section (h2)"), ("h3", "Sub-section (h3)")],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "treatment_pages/blocks/heading_block.html"
        preview_template = "treatment_pages/blocks/block_preview.html"
        label = "Heading"
        description = "A section or sub-section heading"
        preview_value = {"text": "How does the treatment work?", "level": "h2"}


class ParagraphBlock(blocks.RichTextBlock):
    """Rich text: paragraphs with bold, italic, links and simple lists."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "treatment_pages/blocks/paragraph_block.html"
        preview_template = "treatment_pages/blocks/block_preview.html"
        label = "Paragraph"
        description = "Rich text with links and simple formatting"
        preview_value = (
            "<p>The treatment takes about thirty minutes and most patients return to work the same day.</p>"
        )


class LabelledCharBlock(blocks.CharBlock):
    """A CharBlock whose input is named by its label even where Wagtail shows no ``<label>``.

    Inside a ``ListBlock`` Wagtail heads each item with the label as plain text, so the
    input itself had no accessible name (a screen reader said "edit text, required").
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field.widget.attrs["aria-label"] = self.label

    def set_name(self, name):
        super().set_name(name)
        self.field.widget.attrs["aria-label"] = self.label

    def deconstruct(self):
        # Stored in migrations as a plain CharBlock: the name is presentation, not data shape.
        path, args, kwargs = super().deconstruct()
        return "wagtail.blocks.CharBlock", args, kwargs


class LinesBlock(blocks.FieldBlock):
    """Short texts typed one per line in a single labelled text area; the value is a list of strings.

    For bullet points under a step: an editor types or pastes them at once instead of
    adding a child block (with its own five buttons) per line. Stored as a plain JSON
    list of strings. It also reads the ``{"type": "item", "value": ...}`` items a
    ``ListBlock`` of ``CharBlock`` stored (migration 0004 rewrote those rows).
    """

    def __init__(self, required=False, help_text=None, max_line_length=None, rows=4, **kwargs):
        self.max_line_length = max_line_length
        self.field = forms.CharField(
            required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
        )
        super().__init__(**kwargs)

    def get_default(self):
        return []

    def to_python(self, value):
        if value is None:
            return []
        if isinstance(value, str):
            return self.value_from_form(value)
        return [str(item["value"]) if isinstance(item, dict) else str(item) for item in value]

    def get_prep_value(self, value):
        return [str(item) for item in (value or [])]

    def api_schema(self):
        """The API gives the lines as a list of strings (treatment_pages.api.block_schemas)."""
        return list[str]

    def normalize(self, value):
        return self.to_python(value)

    def value_for_form(self, value):
        return "\n".join(value or [])

    def value_from_form(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]

    def clean(self, value):
        value = super().clean(value)
        if self.max_line_length:
            too_long = [
                number for number, line in enumerate(value, start=1) if len(line) > self.max_line_length
            ]
            if too_long:
                raise ValidationError(
                    _("Line %(lines)s is longer than %(max)d characters: shorten it or split it in two.")
                    % {"lines": ", ".join(str(n) for n in too_long), "max": self.max_line_length}
                )
        return value

    def get_searchable_content(self, value):
        return list(value or [])

    def render_basic(self, value, context=None):
        # A list, not the value's Python repr: Wagtail's revision comparison (what a clinical
        # reviewer compares) shows a block through its basic rendering.
        return format_html(
            "<ul>{}</ul>", format_html_join("\n", "<li>{}</li>", ((line,) for line in value or []))
        )

    class Meta:
        default = []


class PreventionStepBlock(blocks.StructBlock):
    """One numbered step: a short lead text and optional bullet sub-points, one per line."""

    text = blocks.CharBlock(max_length=250, help_text=_("The step itself, e.g. “Watch your diet”."))
    sub_points = LinesBlock(
        max_line_length=500,
        label=_("Sub-points, one per line"),
        help_text=_("Optional bullet points shown under this step: type each on its own line."),
    )

    class Meta:
        icon = "list-ol"
        label = _("Step")
        # The collapsed step's header shows its lead text (the number comes from the
        # editor script, treatment_pages/js/steps-editor.js).
        label_format = "{text}"
        form_classname = "treatment-step"
        preview_value = {"text": "Drink enough water", "sub_points": ["About two litres a day"]}


class PreventionStepsBlock(blocks.StructBlock):
    """A numbered list of steps, each optionally carrying nested bullet points.

    Rendered as one ``<ol>`` whose items hold a nested ``<ul>`` when a step has
    sub-points, so screen readers announce "list, 5 items" and the nesting.
    """

    title = blocks.CharBlock(required=False, max_length=120, help_text="Optional heading above the list.")
    steps = blocks.ListBlock(
        PreventionStepBlock(), min_num=1, label=_("Steps"), form_classname="treatment-steps"
    )

    class Meta:
        icon = "list-ol"
        template = "treatment_pages/blocks/prevention_steps_block.html"
        preview_template = "treatment_pages/blocks/block_preview.html"
        label = "Numbered prevention steps"
        description = "A numbered list of steps; each step may have bullet sub-points"
        preview_value = {
            "title": "How to prevent cellulite",
            "steps": [
                {"text": "Watch your diet", "sub_points": ["Eat more vegetables", "Cut down on salt"]},
                {"text": "Quit smoking", "sub_points": []},
                {"text": "Stay active", "sub_points": []},
            ],
        }


class RenditionPrefetchingImageChooserBlock(ImageChooserBlock):
    """An image chooser that loads all of a body's images and their renditions at once.

    Wagtail converts every block of one type in a single ``bulk_to_python``
    call; fetching the renditions there too keeps an article's query count
    the same however many images its body holds.
    """

    def __init__(self, *args, rendition_specs=(), **kwargs):
        self.rendition_specs = tuple(rendition_specs)
        super().__init__(*args, **kwargs)

    def bulk_to_python(self, values):
        queryset = self.model_class.objects.prefetch_renditions(*self.rendition_specs)
        objects = queryset.in_bulk([value for value in values if value is not None])
        seen, result = set(), []
        for pk in values:
            obj = objects.get(pk)
            # The same image twice in a body gets its own instance each time.
            result.append(copy.copy(obj) if obj is not None and pk in seen else obj)
            seen.add(pk)
        return result

    def deconstruct(self):
        # Stored in migrations as a plain ImageChooserBlock: the prefetching is
        # a loading detail, not part of the data's shape.
        path, args, kwargs = super().deconstruct()
        kwargs.pop("rendition_specs", None)
        return "wagtail.images.blocks.ImageChooserBlock", args, kwargs


class ImageStructValue(blocks.StructValue):
    """Gives templates the body-sized rendition of the chosen image."""

    @property
    def rendition(self):
        image = self.get("image")
        return image.get_rendition(BODY_IMAGE_RENDITION) if image else None


class ImageBlockValue(TypedDict):
    image: ImageWithRenditionsDict | None
    alt_text: str
    caption: str


class ImageBlock(PrefetchedChoosersMixin, blocks.StructBlock):
    """An image with the alternative text screen readers need and an optional caption."""

    # The sizes both readers of a body ask for: the page its one size, the API its named ones.
    # An image with prefetched renditions counts any size missing from them as never made.
    image = RenditionPrefetchingImageChooserBlock(
        rendition_specs=[BODY_IMAGE_RENDITION, *API_RENDITION_SPECS.values()]
    )
    alt_text = blocks.CharBlock(
        max_length=250,
        help_text="Describe the image for people who cannot see it.",
    )
    caption = blocks.CharBlock(required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "treatment_pages/blocks/image_block.html"
        preview_template = "treatment_pages/blocks/image_block_preview.html"
        label = "Image"
        description = "An image with alt text and an optional caption"
        preview_value = {"alt_text": "A treatment room", "caption": "Our treatment room"}
        value_class = ImageStructValue

    def api_schema(self):
        return ImageBlockValue

    def get_api_representation(self, value, context=None) -> ImageBlockValue:
        """The image as id, title and renditions at the API's named sizes, with alt text and caption."""
        return {
            "image": image_api_representation(value["image"]),
            "alt_text": value["alt_text"],
            "caption": value["caption"],
        }


class CalloutBlock(blocks.StructBlock):
    """A highlighted note: a tip, a warning or a medical disclaimer."""

    style = blocks.ChoiceBlock(
        choices=[("note", "Note"), ("warning", "Warning"), ("disclaimer", "Medical disclaimer")],
        default="note",
    )
    title = blocks.CharBlock(required=False, max_length=120)
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "treatment_pages/blocks/callout_block.html"
        preview_template = "treatment_pages/blocks/block_preview.html"
        label = "Callout / note"
        description = "A highlighted note, warning or medical disclaimer"
        preview_value = {
            "style": "note",
            "title": "Don't expect miracles",
            "text": "<p>Results vary from person to person and usually need several sessions.</p>",
        }


class UrgentHelpValue(blocks.StructValue):
    """Gives templates the phone number as a ``tel:`` link."""

    @property
    def phone_href(self):
        number = "".join(ch for ch in self.get("phone") or "" if ch.isdigit() or ch == "+")
        return f"tel:{number}" if number else ""


class UrgentHelpBlock(blocks.StructBlock):
    """When not to wait: the signs that need urgent care, and whom to call (the NHS "urgent advice" card).

    Rendered as a card with a strong red top band; its heading starts with a visually hidden
    "Urgent advice:" so a screen reader listing headings hears what kind of card it is.
    """

    title = blocks.CharBlock(
        max_length=120,
        label=_("Title"),
        help_text=_("What the reader should do, e.g. “Call us or go to urgent care if”."),
    )
    text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        label=_("Text"),
        help_text=_("The signs that need urgent help, usually as a bulleted list."),
    )
    phone = blocks.CharBlock(
        required=False, max_length=40, label=_("Phone number"), help_text=_("Optional, e.g. 911.")
    )
    link = blocks.URLBlock(required=False, label=_("Link"), help_text=_("Optional page with more help."))
    link_text = blocks.CharBlock(
        required=False,
        max_length=80,
        label=_("Link text"),
        help_text=_("What the link says, e.g. “Find urgent care near you”."),
    )

    class Meta:
        icon = "warning"
        template = "treatment_pages/blocks/urgent_help_block.html"
        preview_template = "treatment_pages/blocks/block_preview.html"
        label = _("Urgent help")
        description = _("A card telling readers when not to wait and whom to call")
        value_class = UrgentHelpValue
        preview_value = {
            "title": "Call us or go to urgent care if",
            "text": "<ul><li>the treated skin is hot, swollen and painful</li><li>you have a fever</li></ul>",
            "phone": "911",
        }

    def clean(self, value):
        value = super().clean(value)
        if value.get("link") and not value.get("link_text"):
            raise blocks.StructBlockValidationError(
                block_errors={"link_text": ValidationError(_("Say what the link leads to."))}
            )
        return value


class FactsListBlock(blocks.StructBlock):
    """A titled bullet list of facts, e.g. possible side effects."""

    title = blocks.CharBlock(max_length=120)
    items = blocks.ListBlock(LabelledCharBlock(max_length=500, label=_("Item")), min_num=1, label=_("Items"))

    class Meta:
        icon = "list-ul"
        template = "treatment_pages/blocks/facts_list_block.html"
        preview_template = "treatment_pages/blocks/block_preview.html"
        label = "Facts / side effects list"
        description = "A titled bullet list, such as possible side effects"
        preview_value = {"title": "Possible side effects", "items": ["Slight bruising", "Mild swelling"]}


class LinkedPageDict(TypedDict):
    id: int
    title: str
    url: str | None
    type: str | None


class NextStepsBlockValue(TypedDict):
    heading: str
    text: str
    link_text: str
    page: LinkedPageDict | None
    show_form: bool
    phone: str
    email: str


class AppointmentPageChooserBlock(blocks.PageChooserBlock):
    """A page chooser that offers, and accepts, only appointment pages.

    The chooser lists the types from ``TREATMENT_PAGES_APPOINTMENT_PAGE_TYPES``; saving a page
    of another type (an old value, a forged form) is a validation error shown next to the field.
    The types are read from settings at start-up, never stored in migrations.
    """

    def __init__(self, **kwargs):
        kwargs["page_type"] = appointment_page_types() or None
        super().__init__(**kwargs)

    @property
    def target_model(self):
        # Stored values read as any page, exactly as before this chooser was restricted, so
        # content saved earlier keeps rendering; the chooser (``target_models``) and clean()
        # apply the restriction, with a message saying what to choose.
        return Page

    def clean(self, value):
        value = super().clean(value)
        page_class = value.specific_class if value is not None else None
        if value is not None and not (page_class and issubclass(page_class, tuple(self.target_models))):
            kinds = ", ".join(str(model._meta.verbose_name) for model in self.target_models)
            raise ValidationError(
                _("Choose a page of type: %(kinds)s. “%(title)s” is a %(kind)s.")
                % {
                    "kinds": kinds,
                    "title": value.title,
                    "kind": page_class._meta.verbose_name if page_class else _("page"),
                }
            )
        return value

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        kwargs.pop("page_type", None)
        return "wagtail.blocks.PageChooserBlock", args, kwargs


class NextStepsBlock(PrefetchedChoosersMixin, blocks.StructBlock):
    """A call to action linking to a page (usually the appointment form).

    The clinic's phone and email come from the clinic contact settings, so
    they are never retyped on each article.
    """

    heading = blocks.CharBlock(max_length=120, default="Next steps")
    text = blocks.TextBlock(max_length=600)
    page = AppointmentPageChooserBlock(
        help_text=_("The appointment request form this call to action leads to.")
    )
    link_text = blocks.CharBlock(max_length=80, default="Request an appointment")
    show_form = blocks.BooleanBlock(
        required=False,
        default=False,
        help_text="Also show the linked page's form here, when that page has one (the appointment form does).",
    )

    class Meta:
        icon = "calendar"
        template = "treatment_pages/blocks/next_steps_block.html"
        preview_template = "treatment_pages/blocks/block_preview.html"
        label = "Next steps call to action"
        description = "A call to action with a link and the clinic's phone and email"
        preview_value = {
            "heading": "Next steps",
            "text": "Talk to one of our doctors about whether this treatment suits you.",
            "link_text": "Request an appointment",
        }

    def api_schema(self):
        return NextStepsBlockValue

    def get_api_representation(self, value, context=None) -> NextStepsBlockValue:
        """The call to action with its page as id/title/url/type and the clinic's phone and email."""
        from treatment_pages.models import ClinicContactSettings

        request = _request_from(context)
        page = value["page"]
        contact = ClinicContactSettings.for_api(request)
        # Like the template: no link to a page that is not published.
        linked = page is not None and page.live
        return {
            "heading": value["heading"],
            "text": value["text"],
            "link_text": value["link_text"],
            "page": (
                {
                    "id": page.pk,
                    "title": page.title,
                    "url": page.get_url(request),
                    "type": page.specific_class._meta.label if page.specific_class else None,
                }
                if linked
                else None
            ),
            # The front end shows the linked form inline (GET /api/v3/forms/{id}/ gives its fields).
            "show_form": bool(value.get("show_form")),
            "phone": contact.phone if contact else "",
            "email": contact.email if contact else "",
        }


class TreatmentBodyBlock(blocks.StreamBlock):
    """The body of a treatment article."""

    # The v3 API types each block's JSON (treatment_pages.api.block_schemas).
    typed_api_schema = True

    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    prevention_steps = PreventionStepsBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    urgent_help = UrgentHelpBlock()
    facts_list = FactsListBlock()
    next_steps = NextStepsBlock()
    faq = FAQBlock()
