"""Every ``TREATMENT_PAGES_*`` setting the app reads, with its default, read through here only.

A host sets any of these in its Django settings; nothing else in the app calls
``getattr(settings, ...)`` for them.
"""

from django.conf import settings

DEFAULTS = {
    # Months between two clinical reviews of an article, unless the article sets its own.
    "TREATMENT_PAGES_REVIEW_INTERVAL_MONTHS": 12,
    # An article whose readers rate it below this average...
    "TREATMENT_PAGES_LOW_RATING_THRESHOLD": 3.0,
    # ...from at least this many ratings comes back for clinical review.
    "TREATMENT_PAGES_LOW_RATING_MIN_COUNT": 5,
    # The clinic's target reading grade (Flesch-Kincaid) for patient information.
    "TREATMENT_PAGES_READABILITY_TARGET_GRADE": 8.0,
    # The group whose members may approve the "Clinical review" workflow task.
    "TREATMENT_PAGES_CLINICAL_REVIEWERS_GROUP": "Clinical reviewers",
}


def get(name):
    """The host's value for ``name`` (one of ``DEFAULTS``), else its default."""
    return getattr(settings, name, DEFAULTS[name])


def review_interval_months():
    return int(get("TREATMENT_PAGES_REVIEW_INTERVAL_MONTHS"))


def low_rating_threshold():
    return float(get("TREATMENT_PAGES_LOW_RATING_THRESHOLD"))


def low_rating_min_count():
    return int(get("TREATMENT_PAGES_LOW_RATING_MIN_COUNT"))


def readability_target_grade():
    return float(get("TREATMENT_PAGES_READABILITY_TARGET_GRADE"))


def clinical_reviewers_group():
    return str(get("TREATMENT_PAGES_CLINICAL_REVIEWERS_GROUP"))
