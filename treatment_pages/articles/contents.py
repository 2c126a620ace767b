"""An article's contents list: its sections (h2 headings), each with the anchor its heading carries.

Read from the body's stored JSON, not its block values, so the list costs no image or page
query and can sit outside the cached body fragment. Anchors are the heading's text as a slug
("how-it-works"), numbered when two sections share a title, so a link to a section survives
edits elsewhere in the article.
"""

from dataclasses import dataclass

from django.utils.text import slugify

# Lists shorter than this help no one: a reader sees two sections at a glance (the NHS shows
# a contents list only on longer condition pages).
MIN_CONTENTS_ENTRIES = 3
# Ids the article template gives its own elements: a section called "Rating" must not take one.
RESERVED_IDS = {
    "main-content",
    "article-title",
    "contents-heading",
    "references-heading",
    "rating",
    "rating-title",
}


@dataclass(frozen=True)
class ContentsEntry:
    block_id: str
    text: str
    anchor: str


def _section_title(raw_block):
    """The h2 text a stored body block renders, or None for blocks that start no section."""
    value = raw_block.get("value") or {}
    if raw_block.get("type") == "heading" and value.get("level", "h2") == "h2":
        return value.get("text") or ""
    if raw_block.get("type") == "faq":
        return value.get("heading") or ""
    return None


def contents_entries(raw_body):
    """The sections of a body (``StreamValue.raw_data``), in order, with unique anchors."""
    entries, used = [], set(RESERVED_IDS)
    for raw_block in raw_body:
        text = _section_title(raw_block)
        if text is None or not raw_block.get("id"):
            continue
        base = slugify(text) or "section"
        anchor, number = base, 1
        while anchor in used:
            number += 1
            anchor = f"{base}-{number}"
        used.add(anchor)
        entries.append(ContentsEntry(block_id=raw_block["id"], text=text, anchor=anchor))
    return entries
