"""Reading a StreamField's stored JSON by its block definitions, without building block values.

Building values (``to_python``) loads every chosen image and page. What needs only what the
JSON says (which objects a body points at, the text a clinician signed) walks it here.
"""

from wagtail import blocks


def list_item_value(item):
    """A list item's stored value: plain (older data, code and imports write it so) or
    ``{"type": "item", "value": ..., "id": ...}`` (what the admin writes)."""
    if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
        return item["value"]
    return item


def stored_leaves(block, raw):
    """Each ``(block, stored value)`` below ``block`` whose block is not a stream, list or struct."""
    if isinstance(block, blocks.StreamBlock):
        for item in raw or []:
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is not None:
                yield from stored_leaves(child, item.get("value"))
    elif isinstance(block, blocks.ListBlock):
        for item in raw or []:
            yield from stored_leaves(block.child_block, list_item_value(item))
    elif isinstance(block, blocks.StructBlock):
        if isinstance(raw, dict):
            for name, child in block.child_blocks.items():
                yield from stored_leaves(child, raw.get(name))
    else:
        yield block, raw
