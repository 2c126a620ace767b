"""What the front desk can search encrypted requests by: keyed hashes of exact values.

A request's name, email and phone are stored encrypted, so the database
cannot compare them. Beside each request we store search tokens
(``SearchToken``): HMAC-SHA256, under ``LEAD_FORMS_SEARCH_KEY``, of

- each whole word of the name (case, accents and punctuation ignored: "José-Luis" gives "jose" and "luis"),
- each email address answered, in lower case,
- each phone number answered, in E.164 form (``lead_forms.submissions.phones.index_form``:
  digits only for a number that does not parse), and its last four digits.

A search term is normalised the same way and matched against these tokens, so
the inbox, the staff API and ``erase_patient`` find a request by a whole name
word, the full email address, the full phone number written in any format
("+1 217 555 0142", "(217) 555-0142", "2175550142": ``phones.search_forms``) or its
last four digits (and by its reference, with or without "AR-", which is not patient
data and is stored plain).
Nothing else is searchable: no fragments, no comments, no other answers. The
tokens are deterministic, so someone with the database sees which requests
share a name word or a number, but not the word or number without the key.
"""

import re
import unicodedata

from ..submissions import phones
from .crypto import get_search_keys

NAME = "name"
EMAIL = "email"
PHONE = "phone"
LAST_FOUR = "last4"

_WORD = re.compile(r"\w+")
_EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def name_words(text):
    """Whole words of ``text``, case-folded and without accents."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(plain)


def normalise_email(text):
    text = (text or "").strip().lower()
    return text if _EMAIL_SHAPE.match(text) else ""


def _answers(form_data):
    for value in (form_data or {}).values():
        if isinstance(value, str):
            yield value


def values_to_index(name, email, phone, form_data):
    """The (kind, normalised value) pairs a request is found by.

    Email and phone come from the copied columns and from every answer shaped
    like an address or a number, so a second email field is found too (erasure
    requests rely on it).
    """
    pairs = {(NAME, word) for word in name_words(name)}
    for text in (email, *_answers(form_data)):
        address = normalise_email(text)
        if address:
            pairs.add((EMAIL, address))
    for text in (phone, *_answers(form_data)):
        number = phones.index_form(text)
        if number:
            pairs.add((PHONE, number))
            pairs.add((LAST_FOUR, number[-4:]))
    return sorted(pairs)


def tokens_for(name, email, phone, form_data):
    """The search tokens (newest search key) to store for a request."""
    keys = get_search_keys()
    return sorted({keys.token(kind, value) for kind, value in values_to_index(name, email, phone, form_data)})


def query_groups(term):
    """How ``term`` can match, as alternatives: each a list of requirements, each a list of tokens.

    A request matches an alternative when, for every requirement, it has one
    of its tokens (one token per search key, so a rotation in progress misses
    nothing). Name words are all required ("maria lopez" needs both words).
    """
    keys = get_search_keys()
    term = (term or "").strip()
    alternatives = []
    address = normalise_email(term)
    if address:
        alternatives.append([keys.tokens(EMAIL, address)])
    numbers = phones.search_forms(term)
    if numbers:
        alternatives.append([[token for number in numbers for token in keys.tokens(PHONE, number)]])
    elif term.isdigit() and len(term) == 4:
        alternatives.append([keys.tokens(LAST_FOUR, term)])
    # An address or a number is not also looked up as name words ("1", "217", ...).
    words = name_words(term) if not alternatives else []
    if words:
        alternatives.append([keys.tokens(NAME, word) for word in dict.fromkeys(words)])
    return alternatives
