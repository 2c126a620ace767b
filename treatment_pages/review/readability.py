"""How easily patients read an article, by a formula for its language, and what makes it harder.

English articles get the Flesch-Kincaid grade (a US school grade; lower reads easier); Spanish
ones Fernández Huerta's ease score (0-100; higher reads easier), Flesch's formula refitted to
Spanish and the one most Spanish health-literacy studies use. The page's locale chooses.

    Flesch-Kincaid grade = 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59
    Fernández Huerta     = 206.84 − 60 × (syllables / words) − 1.02 × (words / sentences)

Our own implementation rather than ``textstat``: the formulas are one line each, we need what
each sentence does to the score (to show editors the sentences that make the article harder),
which textstat does not give without re-splitting the text ourselves, and a reusable app should
not pull in a dependency (textstat brings pyphen and its dictionaries) for it. Syllables are
counted with the usual vowel-group heuristics (Spanish: diphthongs one syllable, hiatus two);
on ordinary prose they land within a few tenths of dictionary-based counters.

The sentences shown are those that weigh most on the article: how far each one's own score is
past the target, times its words (its share of the text). A formula applied to a three-word
question ("Is rosacea contagious?") gives a high grade from one long word, yet the question is
little of what a patient reads; a long, dense sentence is listed first.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from django.conf import settings
from django.core.cache import cache
from wagtail import blocks
from wagtail.rich_text import RichText

from treatment_pages import conf
from treatment_pages.review.citations import unmatched_markers

WORD_RE = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)*")
# A sentence ends at . ! or ? before a capital (Spanish ones may open with ¿ or ¡).
SENTENCE_END_RE = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[¿¡]?[A-Z0-9\u00C0-\u00DE])")
# Citation markers ([1]) are not words a reader reads.
CITATION_RE = re.compile(r"\[\d+\]")
# Struct children that label or decorate rather than form sentences a patient reads.
SKIPPED_CHILDREN = {"alt_text", "link_text", "title", "heading", "level", "style", "show_form", "phone"}
SKIPPED_BLOCK_TYPES = {"heading"}
BLOCK_TAGS = ["p", "li", "h2", "h3", "h4", "blockquote", "dd", "dt"]


def count_syllables(word):
    """English: vowel groups in ``word``, less a silent final e; at least one."""
    word = word.lower().replace("’", "'")
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]+", word)))


SPANISH_STRONG_VOWELS = set("aeoáéóíú")  # an accented i or u is a syllable of its own (hiatus)
SPANISH_VOWEL_GROUP_RE = re.compile(r"[aeiouáéíóúü]+")
# A final y after a vowel is part of its syllable ("hoy", "muy", "rey").
SPANISH_FINAL_Y_RE = re.compile(r"(?<=[aeiouáéíóúü])y$")


def count_syllables_es(word):
    """Spanish: one syllable per vowel group, plus one for each hiatus inside it.

    Two strong vowels (a, e, o, or an accented í/ú) side by side are two syllables ("ma-re-a",
    "dí-a"); a weak vowel (i, u, ü) next to another vowel makes a diphthong, one syllable
    ("cien", "cui-da-do"); the silent u of que/gui is part of such a group.
    """
    syllables = 0
    for group in SPANISH_VOWEL_GROUP_RE.findall(SPANISH_FINAL_Y_RE.sub("", word.lower())):
        syllables += 1
        for first, second in zip(group, group[1:], strict=False):
            if first in SPANISH_STRONG_VOWELS and second in SPANISH_STRONG_VOWELS:
                syllables += 1
    return max(1, syllables)


def split_sentences(text):
    text = " ".join(CITATION_RE.sub("", text).split())
    return [part.strip() for part in SENTENCE_END_RE.split(text) if WORD_RE.search(part)]


@dataclass(frozen=True)
class Formula:
    """A readability formula: how it counts syllables, scores a text and which way is harder."""

    code: str
    name: str
    count_syllables: Callable[[str], int]
    compute: Callable[[int, int, int], float]
    target_setting: Callable[[], float]
    higher_is_harder: bool

    def score(self, words, sentences, syllables):
        return round(self.compute(words, sentences, syllables), 1) if words and sentences else None

    def harder(self, score, than):
        return score > than if self.higher_is_harder else score < than


FLESCH_KINCAID = Formula(
    code="flesch_kincaid_grade",
    name="Flesch-Kincaid",
    count_syllables=count_syllables,
    compute=lambda words, sentences, syllables: (
        0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59
    ),
    target_setting=conf.readability_target_grade,
    higher_is_harder=True,
)
FERNANDEZ_HUERTA = Formula(
    code="fernandez_huerta",
    name="Fernández Huerta",
    count_syllables=count_syllables_es,
    compute=lambda words, sentences, syllables: (
        206.84 - 60 * (syllables / words) - 1.02 * (words / sentences)
    ),
    target_setting=conf.readability_target_ease_es,
    higher_is_harder=False,
)


# By code: a Readability (cached, so pickled) names its formula rather than holding its functions.
FORMULAS = {formula.code: formula for formula in (FLESCH_KINCAID, FERNANDEZ_HUERTA)}


def formula_for_language(language_code):
    """Fernández Huerta for Spanish (any region), Flesch-Kincaid for every other language."""
    return FERNANDEZ_HUERTA if (language_code or "").lower().startswith("es") else FLESCH_KINCAID


@dataclass
class SentenceScore:
    text: str
    words: int
    syllables: int
    score: float


@dataclass
class Readability:
    """The article's score, the clinic's target and the sentences that make it harder most."""

    formula_code: str
    score: float | None  # None: no sentence to score yet
    target: float
    words: int
    sentences: int
    hardest: list = field(default_factory=list)

    @property
    def formula(self):
        return FORMULAS[self.formula_code]

    @property
    def harder_than_target(self):
        return self.score is not None and self.formula.harder(self.score, self.target)

    @property
    def is_grade(self):
        """Whether the score is a school grade (Flesch-Kincaid) rather than an ease score."""
        return self.formula.higher_is_harder

    def as_dict(self):
        return {
            "formula": self.formula.code,
            "score": self.score,
            "target": self.target,
            "harder_than_target": self.harder_than_target,
            "words": self.words,
            "sentences": self.sentences,
            "hardest_sentences": [
                {"text": sentence.text, "score": sentence.score} for sentence in self.hardest
            ],
        }


def score_text_chunks(chunks, target=None, hardest=3, formula=FLESCH_KINCAID):
    """Score ``chunks`` (paragraphs, list items: each at least one sentence) with ``formula``."""
    target = formula.target_setting() if target is None else target
    scores = []
    for chunk in chunks:
        for sentence in split_sentences(chunk):
            words = WORD_RE.findall(sentence)
            syllables = sum(formula.count_syllables(word) for word in words)
            scores.append(
                SentenceScore(sentence, len(words), syllables, formula.score(len(words), 1, syllables))
            )
    words = sum(s.words for s in scores)
    syllables = sum(s.syllables for s in scores)
    result = Readability(
        formula_code=formula.code,
        score=formula.score(words, len(scores), syllables),
        target=target,
        words=words,
        sentences=len(scores),
    )

    def weight(sentence):
        """How far the sentence is past the target, times its share of the text (its words)."""
        excess = sentence.score - target if formula.higher_is_harder else target - sentence.score
        return excess * sentence.words

    harder = [sentence for sentence in scores if formula.harder(sentence.score, than=target)]
    result.hardest = sorted(harder, key=weight, reverse=True)[:hardest]
    return result


def html_chunks(html):
    """The paragraphs and list items of a rich-text fragment, as plain text."""
    soup = BeautifulSoup(html or "", "html.parser")
    # Innermost block elements only, so a list item's nested list is not read twice.
    elements = [el for el in soup.find_all(BLOCK_TAGS) if not el.find(BLOCK_TAGS)]
    if not elements:
        text = soup.get_text(" ", strip=True)
        return [text] if text else []
    return [el.get_text(" ", strip=True) for el in elements]


def block_chunks(block, value):
    """The prose a patient reads in one block's ``value``: paragraphs, list items, texts."""
    if value is None:
        return
    if isinstance(value, RichText):
        yield from html_chunks(value.source)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            if name not in SKIPPED_CHILDREN:
                yield from block_chunks(child, value.get(name))
    elif isinstance(block, blocks.ListBlock):
        for item in value:
            yield from block_chunks(block.child_block, item)
    elif isinstance(block, blocks.StreamBlock):
        for child in value:
            yield from block_chunks(child.block, child.value)
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
        yield from block_chunks(child.block, child.value)


CACHE_SECONDS = 24 * 60 * 60


def page_language(page):
    """The language of the page's locale (the site's language for a page without one)."""
    if getattr(page, "locale_id", None):
        return page.locale.language_code
    return settings.LANGUAGE_CODE


def page_readability(page, target=None):
    """The article's readability; scores are cached by the text's hash (API listings score many)."""
    formula = formula_for_language(page_language(page))
    target = formula.target_setting() if target is None else target
    chunks = list(page_chunks(page))
    digest = hashlib.sha256("\x1e".join(chunks).encode()).hexdigest()
    key = f"treatment_pages:readability:{formula.code}:{digest}:{target}"
    result = cache.get(key)
    if result is None:
        result = score_text_chunks(chunks, target=target, formula=formula)
        cache.set(key, result, CACHE_SECONDS)
    return result


def readability_summary(page, reference_count):
    """What the edit screen's Readability panel shows for ``page`` (its intro and body as they
    stand, saved or typed) when the article has ``reference_count`` references."""
    return {
        "readability": page_readability(page),
        "unmatched_citations": unmatched_markers(list(page_chunks(page)), reference_count),
    }
