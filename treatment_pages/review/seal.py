"""The review seal: a clinical sign-off holds only for the text the clinician saw.

At sign-off (the "Clinical review" workflow task) :func:`sign` records a fingerprint of the
article's clinical content: title, intro, body blocks and references, never the SEO fields,
the slug or the page's place in the tree. Every publish goes through :func:`record_publish`
(Wagtail's ``page_published`` signal, whatever published it: the editor, a workflow, a
schedule). When a publish changes that content, the seal no longer holds: the byline says
"Clinical review pending", the JSON-LD and the API drop the reviewer and date, and the
review queue lists the article as "changed since review", until a clinician approves again.

An editor may mark a change non-clinical (a typo, formatting) with the page's
``change_is_non_clinical`` box: the seal then moves to the new content, and the mark is
recorded with who and when (a change note and an entry in Wagtail's page history).
The page's ``change_note`` is the public note for that publish ("Page history").
"""

import hashlib
import json
import re

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.log_actions import log

from treatment_pages.articles.stored_data import list_item_value

REVIEWED = "reviewed"
PENDING = "pending"
NOT_REVIEWED = "not_reviewed"

NON_CLINICAL_LOG_ACTION = "treatment_pages.non_clinical_change"
SEAL_BROKEN_LOG_ACTION = "treatment_pages.review_seal_broken"


# What a reference says, in the order the fingerprint reads it.
REFERENCE_FIELDS = ("title", "publisher", "year", "url", "doi")

# What the admin's rich text editor adds to every paragraph it saves (Draftail's block keys).
EDITOR_BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')


def canonical_block_data(block, raw):
    """A block's stored data as content only, without what a save through the admin changes by itself.

    Walks the stored JSON by the block definitions (no database reads). Left out: block ids
    (copying a block changes them) and the rich text editor's paragraph keys. A struct's child
    missing from older data counts as its default (the admin writes the default out), and a
    list's items compare by value whether stored in Wagtail's older form (plain values, as
    code and imports write them) or its current one (``{"type": "item", "value": ..., "id": ...}``).
    """
    if isinstance(block, blocks.StreamBlock):
        return [
            {
                "type": child.get("type"),
                "value": canonical_block_data(block.child_blocks[child["type"]], child.get("value"))
                if child.get("type") in block.child_blocks
                else child.get("value"),
            }
            for child in raw or []
        ]
    if isinstance(block, blocks.StructBlock):
        raw = raw or {}
        return {
            name: canonical_block_data(child, raw[name])
            if name in raw
            else child.get_prep_value(child.get_default())
            for name, child in block.child_blocks.items()
        }
    if isinstance(block, blocks.ListBlock):
        return [canonical_block_data(block.child_block, list_item_value(item)) for item in raw or []]
    if isinstance(raw, str):
        return EDITOR_BLOCK_KEY.sub("", raw)
    return raw


def clinical_content(page, references=None):
    """The content a clinical sign-off vouches for, as plain data.

    ``references``: the page's references when the caller has loaded them already (else read here).
    """
    if references is None:
        references = page.references.all()
    return {
        "title": page.title,
        "intro": page.intro or "",
        "body": canonical_block_data(page.body.stream_block, list(page.body.raw_data)),
        "references": [[getattr(reference, name) for name in REFERENCE_FIELDS] for reference in references],
    }


def content_fingerprint(page, references=None):
    """A SHA-256 of :func:`clinical_content` (canonical JSON): equal content, equal fingerprint."""
    canonical = json.dumps(
        clinical_content(page, references), sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal_of(page):
    """The article's seal row, or None (never signed off, nor published since seals exist)."""
    from treatment_pages.models import ReviewSeal

    if page.pk is None:
        return None
    # With its reviewer, whom the byline and the JSON-LD name: one query for both (none when a
    # listing joined the seal already; a missing seal is remembered on the page too).
    prefetch_related_objects(
        [page], Prefetch("review_seal", queryset=ReviewSeal.objects.select_related("reviewer"))
    )
    try:
        return page.review_seal
    except ReviewSeal.DoesNotExist:
        return None


def valid_seal(page, references=None):
    """The seal when it holds for ``page``'s own content (live page, draft or preview), else None.

    ``references``: the page's references when the caller has loaded them already.
    """
    seal = seal_of(page) if page.pk else None
    if seal is None or not seal.is_signed:
        return None
    return seal if seal.signed_fingerprint == content_fingerprint(page, references) else None


def review_status(page):
    """``reviewed`` (a seal that holds), ``pending`` (changed since review) or ``not_reviewed``."""
    seal = seal_of(page) if page.pk else None
    if seal is None or not seal.is_signed:
        return NOT_REVIEWED
    return REVIEWED if valid_seal(page) is not None else PENDING


def _seal_for_update(page):
    from treatment_pages.models import ReviewSeal

    seal, _created = ReviewSeal.objects.select_for_update().get_or_create(page_id=page.pk)
    return seal


@transaction.atomic
def sign(page, *, reviewer, reviewed_on, user=None, revision=None, note="", at=None):
    """Seal ``page``'s content (a draft about to be published) as reviewed; record the note.

    ``at``: when the review happened, for the page history (now unless given, e.g. by imports).
    """
    from treatment_pages.models import ArticleChangeNote

    seal = _seal_for_update(page)
    seal.signed_fingerprint = content_fingerprint(page)
    seal.signed_revision = revision
    seal.reviewer = reviewer
    seal.reviewed_on = reviewed_on
    seal.reviewed_at = at or timezone.now()
    seal.save()
    ArticleChangeNote.objects.create(
        page_id=page.pk,
        kind=ArticleChangeNote.REVIEWED,
        note=note,
        user=user,
        revision=revision,
        **({"created_at": at} if at is not None else {}),
    )
    return seal


@transaction.atomic
def record_publish(page, revision=None):
    """Update the seal for a publish of ``page``; record the publish's change note.

    Unchanged content (a republish, a move, a new slug or SEO title) changes nothing.
    """
    from treatment_pages.models import ArticleChangeNote, TreatmentPage

    fingerprint = content_fingerprint(page)
    seal = _seal_for_update(page)
    if fingerprint == seal.live_fingerprint:
        return seal
    held_before = seal.holds_for_live_content
    first_publish = not seal.live_fingerprint
    seal.live_fingerprint = fingerprint
    user = getattr(revision, "user", None)
    if seal.signed_fingerprint == fingerprint:
        seal.save()  # the signed draft going live: sign() wrote its note
        return seal
    non_clinical = bool(page.change_is_non_clinical)
    if held_before and non_clinical:
        seal.signed_fingerprint = fingerprint
    seal.save()
    if first_publish and not page.change_note:
        return seal  # a new article's first publish is not a change
    ArticleChangeNote.objects.create(
        page_id=page.pk,
        kind=ArticleChangeNote.NON_CLINICAL_CHANGE if non_clinical else ArticleChangeNote.CLINICAL_CHANGE,
        note=page.change_note or "",
        user=user,
        revision=revision,
    )
    if non_clinical and held_before:
        log(instance=page, action=NON_CLINICAL_LOG_ACTION, user=user, data={"note": page.change_note})
    elif held_before:
        log(instance=page, action=SEAL_BROKEN_LOG_ACTION, user=user, data={"note": page.change_note})
    # The note belongs to this publish: the live row forgets it (the edit form starts empty).
    TreatmentPage.objects.filter(pk=page.pk).update(change_note="", change_is_non_clinical=False)
    return seal


def on_page_published(sender, instance, revision=None, **kwargs):
    from treatment_pages.models import TreatmentPage

    if isinstance(instance, TreatmentPage):
        record_publish(instance, revision)


def public_history(page):
    """The article's "Page history": its reviews and published changes, newest first."""
    return list(page.change_notes.all())


def changes_since_seal(page):
    """Change notes recorded since the last sign-off (what a reviewer should look at)."""
    from treatment_pages.models import ArticleChangeNote

    entries = []
    for entry in page.change_notes.select_related("user"):
        if entry.kind == ArticleChangeNote.REVIEWED:
            break
        entries.append(entry)
    return entries


def comparison_url(page, seal):
    """Wagtail's block-by-block comparison of the signed revision with the latest draft, or ""."""
    if seal is None or not seal.signed_revision_id or seal.signed_revision_id == page.latest_revision_id:
        return ""
    return reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, seal.signed_revision_id, "latest"])


LOG_ACTIONS = [
    (NON_CLINICAL_LOG_ACTION, _("Marked a change non-clinical (review seal kept)")),
    (SEAL_BROKEN_LOG_ACTION, _("Published a clinical change (clinical review pending)")),
]
