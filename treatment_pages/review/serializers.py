"""API fields (v2, and typed in v3 through their return annotations) for clinical review data."""

import datetime
from typing import Literal

from django.utils import timezone
from rest_framework.fields import Field
from typing_extensions import TypedDict  # pydantic (the v3 schema) needs it before Python 3.12

from treatment_pages.review.citations import body_citations, reference_anchor


class ClinicianDict(TypedDict):
    id: int
    name: str
    credentials: str
    display_name: str
    role: str
    specialty: str
    profile_url: str


class ReferenceDict(TypedDict):
    number: int
    title: str
    publisher: str
    year: int | None
    url: str
    doi: str
    link: str


class CitationDict(TypedDict):
    block_id: str
    number: int
    anchor: str


class FAQItemDict(TypedDict):
    question: str
    answer: str


class PageHistoryEntryDict(TypedDict):
    date: datetime.date
    kind: Literal["reviewed", "clinical", "non_clinical"]
    note: str


class _PageField(Field):
    """A read-only field computed from the whole page."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance


class ClinicianField(_PageField):
    """The clinician whose review still vouches for the article (a published one), else null.

    Null too when the article changed since that review (``review_status`` is ``pending``).
    """

    def to_representation(self, page) -> ClinicianDict | None:
        reviewer = page.sealed_reviewer
        if reviewer is None:
            return None
        return {
            "id": reviewer.pk,
            "name": reviewer.name,
            "credentials": reviewer.credentials,
            "display_name": reviewer.display_name,
            "role": reviewer.role,
            "specialty": reviewer.specialty,
            "profile_url": reviewer.profile_url,
        }


class ReferencesField(_PageField):
    """The numbered references; text cites them as ``[number]``."""

    def to_representation(self, page) -> list[ReferenceDict]:
        return [
            {
                "number": number,
                "title": reference.title,
                "publisher": reference.publisher,
                "year": reference.year,
                "url": reference.url,
                "doi": reference.doi,
                "link": reference.link,
            }
            for number, reference in enumerate(page.reference_list, start=1)
        ]


class CitationsField(_PageField):
    """Where the body cites its references: each ``[n]`` marker, in order, with the body block
    (``body[].id``) it is in and the reference it points to (``references[].number``). The
    HTML page links the same markers (``anchor`` is the reference's element id there)."""

    def to_representation(self, page) -> list[CitationDict]:
        return [
            {"block_id": block_id, "number": number, "anchor": reference_anchor(number)}
            for block_id, number in body_citations(page)
        ]


class FAQField(_PageField):
    """Every question and answer (HTML) from the body's FAQ blocks, in order."""

    def to_representation(self, page) -> list[FAQItemDict]:
        return [
            {"question": question["name"], "answer": question["acceptedAnswer"]["text"]}
            for question in page.faq_questions
        ]


class SealedReviewDateField(_PageField):
    """The date of the clinical review that still vouches for this text, else null."""

    def to_representation(self, page) -> datetime.date | None:
        seal = page.clinical_review
        return seal.reviewed_on if seal is not None else None


class ReviewStatusField(_PageField):
    """``reviewed``, ``pending`` (changed since the clinical review) or ``not_reviewed``."""

    def to_representation(self, page) -> Literal["reviewed", "pending", "not_reviewed"]:
        return page.review_status


class PageHistoryField(_PageField):
    """The public page history: reviews and changes with their notes, newest first."""

    def to_representation(self, page) -> list[PageHistoryEntryDict]:
        return [
            {"date": timezone.localdate(entry.created_at), "kind": entry.kind, "note": entry.note}
            for entry in page.page_history
        ]
