"""Reading grade of an article for patients: the Flesch-Kincaid grade level, and what raises it.

Our own implementation rather than ``textstat``: the formula is three lines, we need a
score per sentence (to show editors the sentences that raise the grade most), which
textstat does not give without re-splitting the text ourselves, and a reusable app
should not pull in a dependency (textstat brings pyphen and its dictionaries) for it.
Syllables are counted with the usual vowel-group heuristic; on ordinary English prose
it lands within a few tenths of a grade of dictionary-based counters.

    grade = 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59
"""

import hashlib
import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from django.core.cache import cache
from wagtail import blocks
from wagtail.rich_text import RichText

from treatment_pages import conf

WORD_RE = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)*")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
# Citation markers ([1]) are not words a reader reads.
CITATION_RE = re.compile(r"\[\d+\]")
# Struct children that label or decorate rather than form sentences a patient reads.
SKIPPED_CHILDREN = {"alt_text", "link_text", "title", "heading", "level", "style", "show_form", "phone"}
SKIPPED_BLOCK_TYPES = {"heading"}
BLOCK_TAGS = ["p", "li", "h2", "h3", "h4", "blockquote", "dd", "dt"]


def count_syllables(word):
    """Vowel groups in ``word``, less a silent final e; at least one."""
    word = word.lower().replace("’", "'")
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]+", word)))


def split_sentences(text):
    text = " ".join(CITATION_RE.sub("", text).split())
    return [part.strip() for part in SENTENCE_END_RE.split(text) if WORD_RE.search(part)]


def _grade(words, sentences, syllables):
    if not words or not sentences:
        return 0.0
    return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59


@dataclass
class SentenceScore:
    text: str
    words: int
    syllables: int

    @property
    def grade(self):
        return round(_grade(self.words, 1, self.syllables), 1)


@dataclass
class Readability:
    """The article's grade, the clinic's target, and the sentences that raise the grade most."""

    grade: float
    target: float
    words: int
    sentences: int
    hardest: list = field(default_factory=list)

    @property
    def above_target(self):
        return self.grade > self.target

    def as_dict(self):
        return {
            "grade": self.grade,
            "target_grade": self.target,
            "above_target": self.above_target,
            "words": self.words,
            "sentences": self.sentences,
            "hardest_sentences": [{"text": s.text, "grade": s.grade} for s in self.hardest],
        }


def score_text_chunks(chunks, target=None, hardest=3):
    """Score ``chunks`` (paragraphs, list items: each at least one sentence)."""
    target = conf.readability_target_grade() if target is None else target
    scores = []
    for chunk in chunks:
        for sentence in split_sentences(chunk):
            words = WORD_RE.findall(sentence)
            scores.append(SentenceScore(sentence, len(words), sum(count_syllables(w) for w in words)))
    words = sum(s.words for s in scores)
    syllables = sum(s.syllables for s in scores)
    grade = round(_grade(words, len(scores), syllables), 1) if scores else 0.0
    above = sorted((s for s in scores if s.grade > target), key=lambda s: s.grade, reverse=True)
    return Readability(
        grade=grade, target=target, words=words, sentences=len(scores), hardest=above[:hardest]
    )


def html_chunks(html):
    """The paragraphs and list items of a rich-text fragment, as plain text."""
    soup = BeautifulSoup(html or "", "html.parser")
    # Innermost block elements only, so a list item's nested list is not read twice.
    elements = [el for el in soup.find_all(BLOCK_TAGS) if not el.find(BLOCK_TAGS)]
    if not elements:
        text = soup.get_text(" ", strip=True)
        return [text] if text else []
    return [el.get_text(" ", strip=True) for el in elements]


def _value_chunks(block, value):
    if value is None:
        return
    if isinstance(value, RichText):
        yield from html_chunks(value.source)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            if name not in SKIPPED_CHILDREN:
                yield from _value_chunks(child, value.get(name))
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            yield from _value_chunks(block.child_block, item)
    elif isinstance(block, blocks.StreamBlock):
        for child in value:
            yield from _value_chunks(child.block, child.value)
    elif isinstance(block, blocks.RichTextBlock):
        yield from html_chunks(str(value))
    elif isinstance(block, (blocks.CharBlock, blocks.TextBlock)) and isinstance(value, str) and value.strip():
        yield value


def page_chunks(page):
    """What a patient reads on a treatment article: its intro and its body's prose."""
    if page.intro:
        yield page.intro
    for child in page.body:
        if child.block_type in SKIPPED_BLOCK_TYPES:
            continue
        yield from _value_chunks(child.block, child.value)


CACHE_SECONDS = 24 * 60 * 60


def page_readability(page, target=None):
    """The article's readability; scores are cached by the text's hash (API listings score many)."""
    target = conf.readability_target_grade() if target is None else target
    chunks = list(page_chunks(page))
    digest = hashlib.sha256("\x1e".join(chunks).encode()).hexdigest()
    key = f"treatment_pages:readability:{digest}:{target}"
    result = cache.get(key)
    if result is None:
        result = score_text_chunks(chunks, target=target)
        cache.set(key, result, CACHE_SECONDS)
    return result
