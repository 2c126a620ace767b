"""Inline citations: ``[1]`` typed in an article's text links to its first reference.

Editors type ``[1]``, ``[2]``... where a sentence rests on a source; the numbers are the
positions in the article's References list. We chose typed markers over a Draftail
entity or a citation block because: they read the same in the editor, the API, a
copied draft and the printed page; an entity would need custom Draftail JavaScript
to maintain across Wagtail upgrades and would hide the number inside a link; a block
cannot sit inside a sentence. Only numbers that match a reference become links
(``[2020]`` or a number past the list stays text), and the edit screen's review panel
lists markers that match no reference.
"""

import json
import re

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

MARKER_RE = re.compile(r"\[(\d{1,3})\]")
TAG_RE = re.compile(r"(<[^>]*>)")


def reference_anchor(number):
    return f"ref-{number}"


def link_citations(html, reference_count):
    """``html`` with each ``[n]`` (1 ≤ n ≤ ``reference_count``) outside tags and links made a link
    to reference n. Returns safe HTML; the input must already be safe (rendered) HTML."""
    if not reference_count:
        return mark_safe(html)  # noqa: S308 - the caller's rendered, already-safe HTML, unchanged
    label = gettext("Reference")
    out, in_link = [], 0
    for part in TAG_RE.split(str(html)):
        if part.startswith("<"):
            tag = part[1:3].lower()
            if tag in ("a ", "a>"):
                in_link += 1
            elif part[:3].lower() == "</a":
                in_link = max(0, in_link - 1)
            out.append(part)
            continue
        if in_link:
            out.append(part)
            continue

        def replace(match):
            number = int(match.group(1))
            if not 1 <= number <= reference_count:
                return match.group(0)
            return str(
                format_html(
                    '<sup class="citation"><a href="#{}"><span class="visually-hidden">{} </span>[{}]</a></sup>',
                    reference_anchor(number),
                    label,
                    number,
                )
            )

        out.append(MARKER_RE.sub(replace, part))
    return mark_safe("".join(out))  # noqa: S308 - built from safe HTML and format_html only


def unmatched_markers(texts, reference_count):
    """Citation numbers used in ``texts`` that match no reference, sorted."""
    found = {int(n) for text in texts for n in MARKER_RE.findall(text)}
    return sorted(n for n in found if not 1 <= n <= reference_count)


def body_citations(page):
    """``(block id, n)`` for each ``[n]`` in ``page``'s body that matches a reference, in reading
    order (each number once per block). Markers in any text of a block count: its rich text,
    steps, facts and answers."""
    reference_count = len(page.reference_list)
    found = []
    for block in page.body.raw_data:
        text = json.dumps(block.get("value"), ensure_ascii=False)
        numbers = dict.fromkeys(int(n) for n in MARKER_RE.findall(text))
        found.extend((block["id"], n) for n in numbers if 1 <= n <= reference_count)
    return found
