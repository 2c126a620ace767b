"""schema.org JSON-LD builders: the article's clinical review, its FAQ, and the clinic.

The clinic's ``MedicalClinic`` is built here, next to the clinic settings it reads, so
that a host's home page type can embed it without this app knowing the host's page types:
``def get_structured_data(self, request=None): return clinic_page_structured_data(self, request)``.
"""

import re

DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_DAY_KEYS = {name[:3].lower(): index for index, name in enumerate(DAY_NAMES)}
_TIME = r"\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?"
HOURS_LINE_RE = re.compile(
    rf"^(?P<days>[A-Za-z ,\-–]+?)\s*:\s*(?P<opens>{_TIME})\s*(?:-|–|to)\s*(?P<closes>{_TIME})\s*$", re.I
)


def _day_index(word):
    return _DAY_KEYS.get(word.strip().lower()[:3])


def _parse_days(text):
    days = []
    for part in re.split(r"\s*(?:,|\band\b|&)\s*", text.strip(), flags=re.I):
        bounds = re.split(r"\s*(?:-|–|\bto\b)\s*", part, flags=re.I)
        indexes = [_day_index(bound) for bound in bounds if bound]
        if not indexes or None in indexes or len(indexes) > 2:
            return None
        first, last = indexes[0], indexes[-1]
        span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
        days.extend(DAY_NAMES[i] for i in span)
    return days or None


def _parse_time(text):
    text = text.strip().lower().replace(".", ":").replace(" ", "")
    match = re.match(r"^(\d{1,2})(?::(\d{2}))?(?::?([ap])m?:?)?$", text)
    if not match:
        return None
    hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if meridiem == "p" and hour < 12:
        hour += 12
    elif meridiem == "a" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def opening_hours_specification(lines):
    """``OpeningHoursSpecification`` entries for lines like "Monday to Friday: 8:30am - 6pm".

    Lines it cannot read ("Sunday: closed", free text) are left out rather than guessed.
    """
    specs = []
    for line in lines:
        match = HOURS_LINE_RE.match(line.strip())
        if not match:
            continue
        days = _parse_days(match.group("days"))
        opens, closes = _parse_time(match.group("opens")), _parse_time(match.group("closes"))
        if days and opens and closes:
            specs.append(
                {"@type": "OpeningHoursSpecification", "dayOfWeek": days, "opens": opens, "closes": closes}
            )
    return specs


def clinic_structured_data(contact, url=None):
    """schema.org ``MedicalClinic`` for the clinic settings ``contact`` (None when not set up)."""
    if contact is None or not contact.clinic_name:
        return None
    data = {"@context": "https://schema.org", "@type": "MedicalClinic", "name": contact.clinic_name}
    if url:
        data["url"] = url
    address = {
        key: value
        for key, value in (
            ("streetAddress", contact.street_address),
            ("addressLocality", contact.city),
            ("addressRegion", contact.state),
            ("postalCode", contact.postcode),
        )
        if value
    }
    if address:
        data["address"] = {"@type": "PostalAddress", **address}
    if contact.phone:
        data["telephone"] = contact.phone
    if contact.email:
        data["email"] = contact.email
    hours = opening_hours_specification(contact.opening_hours_lines)
    if hours:
        data["openingHoursSpecification"] = hours
    return data


def clinic_page_structured_data(page, request=None):
    """The clinic's ``MedicalClinic`` for its home ``page`` (None until the contact details are set up)."""
    from treatment_pages.articles.seo import canonical_url
    from treatment_pages.models import ClinicContactSettings

    contact = ClinicContactSettings.for_api(request)
    return clinic_structured_data(contact, canonical_url(page, request))


def clinician_structured_data(clinician):
    """A clinician as a schema.org ``Person`` with their credentials."""
    data = {"@type": "Person", "name": clinician.name}
    if clinician.credentials:
        data["honorificSuffix"] = clinician.credentials
        data["hasCredential"] = [
            {"@type": "EducationalOccupationalCredential", "name": credential}
            for credential in clinician.credential_list
        ]
    if clinician.role:
        data["jobTitle"] = clinician.role
    if clinician.specialty:
        data["knowsAbout"] = clinician.specialty
    if clinician.profile_url:
        data["url"] = clinician.profile_url
    return data


def reference_structured_data(reference):
    """A reference as a schema.org ``CreativeWork`` (the article's ``citation``)."""
    data = {"@type": "CreativeWork", "name": reference.title}
    if reference.publisher:
        data["publisher"] = {"@type": "Organization", "name": reference.publisher}
    if reference.year:
        data["datePublished"] = str(reference.year)
    if reference.link:
        data["url"] = reference.link
    if reference.doi:
        data["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": reference.doi}
    return data


def faq_structured_data(questions):
    """One schema.org ``FAQPage`` for ``questions`` (``Question`` dicts), or None when there are none."""
    if not questions:
        return None
    return {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": list(questions)}
