"""Typed JSON schemas for StreamField values, generated from the block definitions.

Wagtail's v3 API types every StreamField as ``list[Any]``, which leaves a front end
to write each block's shape by hand. Here a StreamBlock becomes a list of a
discriminated union (``type`` is the discriminator), one named schema per block
type, each with its typed ``value``; a StructBlock becomes an object of its
children, a ListBlock a list of its child. Adding a block to a typed StreamBlock
adds it to the OpenAPI document with no hand-written schema.

Blocks whose ``get_api_representation`` returns something of their own declare
its type with ``api_schema()`` (a TypedDict, a pydantic model or any type pydantic
accepts). A block this module cannot type raises ``UntypedBlockError``, so a
missing schema is a failing test, not a silent ``any``.
"""

import datetime
import decimal
from typing import Annotated, Any, Literal, Union

from pydantic import ConfigDict, Field, create_model
from wagtail import blocks
from wagtail.api.v3.schemas.generators.read import streamfield_schema
from wagtail.fields import StreamField


class UntypedBlockError(TypeError):
    """A block whose API representation this module cannot describe."""


# Blocks whose API representation is a plain value of one Python type.
SCALAR_BLOCK_TYPES = [
    (blocks.BooleanBlock, bool),
    (blocks.IntegerBlock, int),
    (blocks.FloatBlock, float),
    (blocks.DecimalBlock, decimal.Decimal),
    (blocks.DateTimeBlock, datetime.datetime),
    (blocks.DateBlock, datetime.date),
    (blocks.TimeBlock, datetime.time),
    # Text of every kind, rich text included (the API renders it to a string).
    (blocks.FieldBlock, str),
    (blocks.RichTextBlock, str),
    (blocks.RawHTMLBlock, str),
    (blocks.StaticBlock, type(None)),
]


def _camel(name):
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


def _schema_name(block, fallback):
    cls = type(block)
    # Wagtail's own classes (a bare StructBlock([...])) say nothing; the path does.
    if cls.__module__.startswith("wagtail."):
        return fallback
    return cls.__name__


class BlockSchemaBuilder:
    """Builds (and names, once each) the types of a tree of blocks."""

    def __init__(self):
        self._built = {}

    def value_type(self, block, path):
        """The type of ``block.get_api_representation(value)``; ``path`` names anonymous blocks."""
        declared = getattr(block, "api_schema", None)
        if callable(declared):
            return declared()
        if isinstance(block, blocks.StreamBlock):
            return list[self.stream_item_type(block, path)]
        if isinstance(block, blocks.ListBlock):
            return list[self.value_type(block.child_block, f"{path}Item")]
        if isinstance(block, blocks.StructBlock):
            return self.struct_type(block, path)
        if isinstance(block, blocks.ChooserBlock):
            # Stock choosers give the chosen object's primary key (None when empty).
            return int | None
        if isinstance(block, blocks.ChoiceBlock | blocks.MultipleChoiceBlock):
            values = tuple(str(value) for value, _label in _flat_choices(block))
            if not block.required:
                values += ("",)
            choice = Literal[values] if values else str  # type: ignore[valid-type]
            return list[choice] if isinstance(block, blocks.MultipleChoiceBlock) else choice
        for block_class, python_type in SCALAR_BLOCK_TYPES:
            if isinstance(block, block_class):
                if python_type is not str and not block.required:
                    return python_type | None
                return python_type
        raise UntypedBlockError(
            f"{type(block).__module__}.{type(block).__qualname__} at {path} has no API schema: "
            "give it an api_schema() method returning the type of its get_api_representation()."
        )

    def struct_type(self, block, path):
        name = f"{_schema_name(block, path)}Value"
        if id(block) not in self._built:
            fields = {
                child_name: (self.value_type(child, f"{path}{_camel(child_name)}"), ...)
                for child_name, child in block.child_blocks.items()
            }
            self._built[id(block)] = create_model(
                name, __config__=ConfigDict(title=name), __doc__=_doc(block), **fields
            )
        return self._built[id(block)]

    def stream_item_type(self, block, path):
        """``{type, value, id}`` per child block, discriminated by ``type``."""
        prefix = _schema_name(block, path).removesuffix("Block")
        members = []
        for child_name, child in block.child_blocks.items():
            name = f"{prefix}{_camel(child_name)}"
            key = (id(block), child_name)
            if key not in self._built:
                self._built[key] = create_model(
                    name,
                    __config__=ConfigDict(title=name),
                    __doc__=f"A `{child_name}` block: {_doc(child)}",
                    type=(Literal[child_name], ...),  # type: ignore[valid-type]
                    value=(self.value_type(child, name), ...),
                    id=(str, Field(description="The block's stable id (a UUID).")),
                )
            members.append(self._built[key])
        if len(members) == 1:
            return members[0]
        return Annotated[Union[tuple(members)], Field(discriminator="type")]  # noqa: UP007


def _flat_choices(block):
    for value, label in block.field.choices:
        if isinstance(label, list | tuple):
            yield from label
        elif value != "":
            yield value, label


def _doc(block):
    description = getattr(block.meta, "description", "") or ""
    return str(description or getattr(block.meta, "label", "") or type(block).__name__)


def stream_block_type(stream_block, name=None):
    """The typed list a StreamBlock's API representation is; raises UntypedBlockError."""
    return BlockSchemaBuilder().value_type(stream_block, name or _schema_name(stream_block, "Stream"))


def typed_streamfield_schema(generator, field: StreamField):
    """Wagtail v3 read-schema hook for StreamFields (see ``register_typed_streamfields``).

    A StreamBlock that sets ``typed_api_schema = True`` is typed block by block;
    any other StreamField keeps Wagtail's untyped ``list[Any]``.
    """
    stream_block = field.stream_block
    if not getattr(stream_block, "typed_api_schema", False):
        return streamfield_schema(generator, field)
    _untyped, default, resolver = streamfield_schema(generator, field)
    return stream_block_type(stream_block), default, resolver


def register_typed_streamfields():
    """Make Wagtail's v3 read schemas use ``typed_streamfield_schema``; ``TreatmentPagesConfig.ready`` calls it.

    It only takes effect if it runs before Wagtail builds the page schemas, and Wagtail
    builds them, once, when ``wagtail.api.v3.registry`` and the pages router are first
    imported: from the ``ready()`` of ``wagtail.images``, ``wagtail.documents``,
    ``wagtail.snippets``, ``wagtail.contrib.redirects`` or ``wagtail.locales``. Nothing
    earlier can do it: the generator's module needs every model loaded, so it cannot be
    imported while Django imports models, and ``ready()`` hooks run in ``INSTALLED_APPS``
    order. So ``treatment_pages`` must come before those apps; ``untyped_streamfields``
    finds out afterwards, and the system check ``treatment_pages.E010`` names the fix.
    """
    from wagtail.api.v3.schemas.generators import read_generator

    read_generator.register_field_schema(StreamField, typed_streamfield_schema)


def untyped_streamfields():
    """``app.Model.field`` of each typed StreamField the v3 API serves untyped (``list[Any]``).

    Read from Wagtail's content type registry, which holds the page schemas the API serves.
    """
    from wagtail.api.v3.registry import registry
    from wagtail.models import get_page_models

    untyped = []
    for model in get_page_models():
        registration = registry.get(model._meta.label)
        if registration is None or registration.read_schema is None:
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, StreamField) or not getattr(
                field.stream_block, "typed_api_schema", False
            ):
                continue
            served = registration.read_schema.model_fields.get(field.name)
            if served is not None and served.annotation == list[Any]:
                untyped.append(f"{model._meta.label}.{field.name}")
    return untyped
