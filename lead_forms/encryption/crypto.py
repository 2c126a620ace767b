"""Encryption of patient data at rest, and the keyed hashes the front desk searches by.

Cipher: AES-256-GCM (``cryptography``'s ``AESGCM``), authenticated encryption
with a fresh random 96-bit nonce per value. Chosen over Fernet because
(1) each value names the key that sealed it, so decryption goes straight to that
key instead of MultiFernet's try-each-key (an old row costs one failed HMAC per
newer key), and rotation can tell in SQL which rows still need it; (2) it is
about 3.5 times cheaper per value than Fernet (2.6 µs against 9.8 µs for a
typical request's answers, measured with cryptography 50 on this project's
machine), which the streamed export pays 100,000 times; (3) it needs no
timestamps and is 15 % shorter. Random 96-bit nonces are safe for far more
values than one clinic writes under a key (NIST's bound is 2^32 per key, and
rotation starts a new key).

A stored value is ASCII text: ``lf2:<key id>:<base64(nonce || ciphertext || tag)>``,
the key id being 8 hex digits of a SHA-256 of the key (never the key itself).

Each ``lf2`` value is bound to where it is stored: its table, its column and its
row (the row's random ``row_uuid``) are the AES-GCM associated data, so a value
copied into another column or another row fails authentication instead of
decrypting there (the audit showed a staff note as a patient's email). Values of
the first format, ``lf1``, carry no associated data; migration 0010 and
``rotate_patient_data_keys`` re-seal them, and they are refused afterwards unless
``LEAD_FORMS_READ_UNBOUND_VALUES`` is on (or inside ``reading_unbound_values()``,
which the re-sealing itself uses).

Keys come from ``LEAD_FORMS_ENCRYPTION_KEYS`` (newest first: the newest seals,
every listed key opens) and ``LEAD_FORMS_SEARCH_KEY`` (blind indexes: HMAC-SHA256
of normalised words, addresses and numbers, kept apart from the encryption keys so
one leaking does not give away the other). The keyring is built once per process
(one ``AESGCM`` object per key) and rebuilt when those settings change.
"""

import base64
import binascii
import contextvars
import hashlib
import hmac
import os
from contextlib import contextmanager
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from ..conf import app_settings

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = "lf2:"
# The first format: no associated data (read during the upgrade only, never written by the fields).
UNBOUND_VERSION = "lf1:"
VERSIONS = (VERSION, UNBOUND_VERSION)
KEY_ID_LENGTH = 8
# "lf2:" + key id + ":"
HEADER_LENGTH = len(VERSION) + KEY_ID_LENGTH + 1
AAD_LABEL = b"lead_forms value v2"
KEYS_SETTING = "LEAD_FORMS_ENCRYPTION_KEYS"
SEARCH_KEY_SETTING = "LEAD_FORMS_SEARCH_KEY"
GENERATE_HINT = (
    'Generate one with: python -c "import base64, secrets; '
    'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
)
# What to do when a key setting is missing: said by the system check and by every use without keys.
KEYS_FIX = (
    f"Set the settings {KEYS_SETTING} and {SEARCH_KEY_SETTING} (a different key each, e.g. "
    f'{KEYS_SETTING} = os.environ.get("{KEYS_SETTING}", "").split(",") in your settings module, '
    'see the README, "Patient data encryption"). '
    f"{GENERATE_HINT}. For development only, LEAD_FORMS_THROWAWAY_KEYS = True derives throwaway keys "
    "from SECRET_KEY instead."
)
# Labels of the keys derived from SECRET_KEY when LEAD_FORMS_THROWAWAY_KEYS is on (development, tests).
THROWAWAY_ENCRYPTION_LABEL = b"lead_forms THROWAWAY patient-data encryption key: development and tests only"
THROWAWAY_SEARCH_LABEL = b"lead_forms THROWAWAY patient-data search key: development and tests only"


class PatientDataError(Exception):
    """A stored patient-data value cannot be decrypted; the message says why and what to do."""


_reading_unbound = contextvars.ContextVar("lead_forms_reading_unbound", default=False)


@contextmanager
def reading_unbound_values():
    """Open ``lf1`` values (no associated data) inside this block: for the code that re-seals them."""
    token = _reading_unbound.set(True)
    try:
        yield
    finally:
        _reading_unbound.reset(token)


def unbound_values_allowed():
    return _reading_unbound.get() or bool(app_settings.LEAD_FORMS_READ_UNBOUND_VALUES)


def associated_data(table, column, row_id):
    """Where a value is stored, as the AES-GCM associated data that binds it there."""
    return b"\x00".join([AAD_LABEL, table.encode(), column.encode(), str(row_id).encode()])


def generate_key():
    """A new random key, in the form the settings expect (url-safe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def key_id(key):
    """The 8-hex-digit id stored with each value and token: names the key, reveals nothing of it."""
    return hashlib.sha256(b"lead_forms key id\x00" + key).hexdigest()[:KEY_ID_LENGTH]


def _as_list(value):
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return [str(item).strip() for item in value or [] if str(item).strip()]


def parse_keys(value, setting):
    """Decode the keys of ``setting`` (a list or a comma-separated string); ImproperlyConfigured if one is bad."""
    keys = []
    for position, text in enumerate(_as_list(value), start=1):
        try:
            key = base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            key = b""
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{setting}: key number {position} is not url-safe base64 of {KEY_BYTES} bytes. {GENERATE_HINT}"
            )
        keys.append(key)
    return keys


def _throwaway(label):
    return hmac.new(settings.SECRET_KEY.encode(), label, hashlib.sha256).digest()


def _configured_keys(setting, label):
    keys = parse_keys(getattr(app_settings, setting), setting)
    if keys:
        return keys
    if app_settings.LEAD_FORMS_THROWAWAY_KEYS:
        return [_throwaway(label)]
    raise ImproperlyConfigured(missing_keys_message(setting))


def missing_keys_message(setting):
    """Why ``setting`` is needed and the fix: the settings to set, how to make a key, the development switch."""
    return (
        f"{setting} is not set. Appointment requests are stored encrypted and cannot be read or "
        f"written without it. {KEYS_FIX}"
    )


class Keyring:
    """The encryption keys: the first (newest) seals, any of them opens what it sealed."""

    def __init__(self, keys):
        self.ciphers = {key_id(key): AESGCM(key) for key in keys}
        self.newest_id = key_id(keys[0])
        self.newest_prefix = f"{VERSION}{self.newest_id}:"
        self._newest = self.ciphers[self.newest_id]

    def encrypt(self, data, associated_data=None):
        """``data`` (bytes) sealed under the newest key and bound to ``associated_data``, as stored text.

        Without ``associated_data``: the unbound ``lf1`` format, which only the
        historical migration 0005 still writes (0010 re-seals what it wrote).
        """
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._newest.encrypt(nonce, data, associated_data)
        prefix = self.newest_prefix if associated_data is not None else f"{UNBOUND_VERSION}{self.newest_id}:"
        return prefix + base64.b64encode(nonce + sealed).decode("ascii")

    def decrypt(self, text, associated_data=None):
        """The bytes sealed in stored ``text`` at ``associated_data``; PatientDataError if it cannot be opened.

        An ``lf2`` value opens only with the associated data it was sealed with; an
        ``lf1`` value (none) only while ``unbound_values_allowed()``.
        """
        cipher = self.ciphers.get(text[len(VERSION) : HEADER_LENGTH - 1])
        if cipher is None or not text.startswith(VERSIONS):
            raise PatientDataError(self._why_not(text))
        if text.startswith(UNBOUND_VERSION):
            if associated_data is not None and not unbound_values_allowed():
                raise PatientDataError(
                    "A stored patient-data value is in the first format, not bound to its table, column and "
                    "row, and such values are refused once re-sealed. Run `manage.py "
                    "rotate_patient_data_keys` with LEAD_FORMS_READ_UNBOUND_VALUES = True to re-seal it."
                )
            associated_data = None
        elif associated_data is None:
            raise PatientDataError("A bound patient-data value was read without its table, column and row.")
        try:
            raw = base64.b64decode(text[HEADER_LENGTH:])
            return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data)
        except (InvalidTag, binascii.Error, ValueError):
            raise PatientDataError(
                f"A stored patient-data value under key {text[len(VERSION) : HEADER_LENGTH - 1]} failed "
                "authentication: it was altered or truncated in the database, copied from another column "
                "or row, or a different key has the same id. It cannot be read."
            ) from None

    def _why_not(self, text):
        if not text.startswith(VERSIONS):
            return (
                "A patient-data column holds a value that is not encrypted (plain text or another format). "
                "Run `manage.py migrate` (migration 0005 encrypts stored requests) or "
                "`manage.py rotate_patient_data_keys`."
            )
        known = ", ".join(self.ciphers) or "none"
        return (
            f"A stored appointment request is encrypted with key id {text[len(VERSION) : HEADER_LENGTH - 1]}, "
            f"which is not in {KEYS_SETTING} (key ids there: {known}). Add that key back to "
            f"{KEYS_SETTING} (after the newest) to read it; if it is lost, so are those requests."
        )

    def key_id_of(self, text):
        """The id of the key ``text`` was sealed with (None for something else)."""
        return text[len(VERSION) : HEADER_LENGTH - 1] if text.startswith(VERSIONS) else None


class SearchKeys:
    """The blind-index keys: tokens are made with the newest; searches match tokens of any listed key."""

    def __init__(self, keys):
        self.keys = [(key_id(key), key) for key in keys]
        self.newest_id = self.keys[0][0]
        self._newest = keys[0]

    def token(self, kind, value):
        """The newest key's token for ``value`` (already normalised) of ``kind``."""
        return _token(self._newest, kind, value)

    def tokens(self, kind, value):
        """One token per listed key, so rows not yet re-indexed by a rotation are still found."""
        return [_token(key, kind, value) for _id, key in self.keys]


def _token(key, kind, value):
    return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()[:32]


@lru_cache(maxsize=1)
def get_keyring():
    """The process's Keyring (ImproperlyConfigured, naming the setting and the fix, when no key is set)."""
    return Keyring(_configured_keys(KEYS_SETTING, THROWAWAY_ENCRYPTION_LABEL))


@lru_cache(maxsize=1)
def get_search_keys():
    """The process's SearchKeys (ImproperlyConfigured, naming the setting and the fix, when no key is set)."""
    keys = _configured_keys(SEARCH_KEY_SETTING, THROWAWAY_SEARCH_LABEL)
    if set(keys) & set(parse_keys(getattr(app_settings, KEYS_SETTING), KEYS_SETTING)):
        raise ImproperlyConfigured(
            f"{SEARCH_KEY_SETTING} must not be one of the {KEYS_SETTING}: use a key of its own."
        )
    return SearchKeys(keys)


def using_throwaway_keys():
    """True when the keys are derived from SECRET_KEY (development and tests), not configured."""
    return app_settings.LEAD_FORMS_THROWAWAY_KEYS and not (
        _as_list(getattr(app_settings, KEYS_SETTING)) and _as_list(getattr(app_settings, SEARCH_KEY_SETTING))
    )


def check_configuration():
    """Build both keyrings now: ImproperlyConfigured, naming the setting and the fix, if one is missing or bad.

    Called by the system check (``lead_forms.checks``), not at start-up, so ``manage.py help``,
    ``collectstatic`` and a fresh ``migrate`` run without keys; reading or writing a request
    without them raises the same error at that moment.
    """
    get_keyring()
    get_search_keys()


def encrypt_text(text):
    return get_keyring().encrypt(text.encode())


def decrypt_text(text):
    return get_keyring().decrypt(text).decode()


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting in {KEYS_SETTING, SEARCH_KEY_SETTING, "LEAD_FORMS_THROWAWAY_KEYS", "SECRET_KEY"}:
        get_keyring.cache_clear()
        get_search_keys.cache_clear()
