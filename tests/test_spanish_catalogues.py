"""The Spanish catalogues: every string a patient can meet is translated, and none is fuzzy.

"Patient-facing" is decided by where a string comes from: the templates of public pages and
the modules that answer patients (the rating views, the appointment form's validation...).
A string from a new public template is covered without touching this test; a new public
module is added to PATIENT_FACING below. Strings only staff see (the admin's templates and
hooks, model and block labels for editors, webhook settings) may lag behind, but are checked
for fuzzy entries too: a fuzzy entry is a guess nobody confirmed.
"""

import re
from fnmatch import fnmatch
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent

PATIENT_FACING = {
    "treatment_pages": [
        # Public page templates and everything they include; the rating error page.
        "templates/treatment_pages/*.html",
        "templates/treatment_pages/includes/*",
        "templates/treatment_pages/blocks/*",
        # Ratings: the vote views and their messages, the score labels and summary text,
        # the public API's vote message, the citation links' screen-reader label.
        "views.py",
        "ratings/votes.py",
        "ratings/forms.py",
        "models/ratings.py",
        "api/routers.py",
        # "Was this page helpful?": its form, validation and thanks, on the page and in the API.
        "feedback/*",
        "api/feedback.py",
        "review/citations.py",
        "templatetags/*",
    ],
    "lead_forms": [
        # The form page, thank-you and "please wait" pages, and what they include.
        "templates/lead_forms/*.html",
        "templates/lead_forms/includes/*",
        # The form's fields, its validation and spam messages, the thank-you step, the page's
        # submission pipeline and the public API's answers to a front end's patients.
        "submissions/*",
        "models/pages.py",
        "templatetags/*",
        "api/routers.py",
    ],
}


def catalogue(app):
    return polib.pofile(str(ROOT / app / "locale" / "es" / "LC_MESSAGES" / "django.po"))


def is_patient_facing(app, entry):
    return any(
        fnmatch(source, pattern) for source, _line in entry.occurrences for pattern in PATIENT_FACING[app]
    )


def describe(entries):
    return "\n".join(
        f"{entry.msgid!r} (from {', '.join(s for s, _ in entry.occurrences)})" for entry in entries
    )


@pytest.mark.parametrize("app", sorted(PATIENT_FACING))
def test_every_patient_facing_string_has_a_spanish_translation(app):
    entries = [entry for entry in catalogue(app) if not entry.obsolete and is_patient_facing(app, entry)]

    untranslated = [entry for entry in entries if not entry.translated() and "fuzzy" not in entry.flags]
    assert not untranslated, f"Translate in {app}/locale/es:\n{describe(untranslated)}"
    # The catalogue really names the public sources (a renamed folder would empty the check).
    assert len(entries) > 20


@pytest.mark.parametrize("app", sorted(PATIENT_FACING))
def test_no_spanish_translation_is_a_fuzzy_guess(app):
    fuzzy = [entry for entry in catalogue(app) if not entry.obsolete and "fuzzy" in entry.flags]

    assert not fuzzy, f"Check and confirm (remove the fuzzy flag) in {app}/locale/es:\n{describe(fuzzy)}"


# A sentence's end run into the next sentence's start ("...con el prefijo.Escriba un número..."):
# what a merge left when it glued an old and a new translation into one.
RUN_TOGETHER_RE = re.compile(r"[.!?][A-ZÁÉÍÓÚÑ¿¡]")


@pytest.mark.parametrize("app", sorted(PATIENT_FACING))
def test_each_translation_is_one_message_not_two_run_together(app):
    glued = [
        entry
        for entry in catalogue(app)
        if entry.translated()
        for text in ([entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values())
        if RUN_TOGETHER_RE.search(text) and not RUN_TOGETHER_RE.search(entry.msgid)
    ]

    assert not glued, describe(glued)


@pytest.mark.parametrize("app", sorted(PATIENT_FACING))
def test_the_compiled_catalogue_is_up_to_date(app):
    """The .mo file Django reads holds every translation of the .po file."""
    compiled = polib.mofile(str(ROOT / app / "locale" / "es" / "LC_MESSAGES" / "django.mo"))
    compiled_ids = {entry.msgid for entry in compiled}

    missing = [entry for entry in catalogue(app).translated_entries() if entry.msgid not in compiled_ids]
    assert not missing, f"Run compilemessages in {app}/:\n{describe(missing)}"
