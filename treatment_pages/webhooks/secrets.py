"""Webhook signing secrets: checked when set, encrypted at rest, never shown back.

A secret is what the Standard Webhooks specification says: ``whsec_`` and the base64 of
24 to 64 random bytes. Anything else is refused when it is set (``a`` or ``whsec_abc``
would sign nothing a receiver could check, and used to leave deliveries pending forever).

At rest it is a Fernet token (AES-128-CBC with HMAC-SHA256) under a key derived from
``SECRET_KEY``: a database dump or backup alone no longer lets anyone sign events the
clinic's front end would believe. Why not a key of its own, like patient data has: these
secrets guard build hooks, not people's data, and the host already keeps ``SECRET_KEY``
out of the database; a second key to store, back up and rotate would buy little. Rotating
``SECRET_KEY`` keeps them readable while the old key is in ``SECRET_KEY_FALLBACKS``
(``manage.py reseal_webhook_secrets`` then re-encrypts under the new one); without it an
endpoint's deliveries fail with "signing secret unreadable" until an administrator sets a
new secret.
"""

import base64
import binascii
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
MIN_BYTES, MAX_BYTES = 24, 64
_KEY_SALT = "treatment_pages.webhook_secrets"


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted with SECRET_KEY or any of its fallbacks."""


def new_webhook_secret():
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_error(value):
    """Why ``value`` is not a usable signing secret, or None when it is one."""
    value = str(value or "")
    if not value.startswith(SECRET_PREFIX):
        return _("A signing secret starts with whsec_ followed by base64 (e.g. one generated here).")
    try:
        key = base64.b64decode(value.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return _("After whsec_ a signing secret is base64 (A-Z, a-z, 0-9, + and /, padded with =).")
    if not MIN_BYTES <= len(key) <= MAX_BYTES:
        return _("A signing secret holds 24 to 64 random bytes (32 to 88 base64 characters after whsec_).")
    return None


def validate_webhook_secret(value):
    """Form and model validator for :func:`secret_error`."""
    if error := secret_error(value):
        raise ValidationError(error, code="invalid_secret")


def _fernet(secret_key):
    digest = salted_hmac(_KEY_SALT, "webhook signing secrets", secret=secret_key, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _keys():
    return MultiFernet(
        [
            _fernet(settings.SECRET_KEY),
            *(_fernet(key) for key in getattr(settings, "SECRET_KEY_FALLBACKS", [])),
        ]
    )


def encrypt_secret(value):
    return _keys().encrypt(str(value).encode()).decode()


def decrypt_secret(token):
    if not token:
        raise SecretUnreadable("no secret stored")
    try:
        return _keys().decrypt(str(token).encode()).decode()
    except (InvalidToken, ValueError, UnicodeError) as exc:
        raise SecretUnreadable("the stored secret does not open with SECRET_KEY or its fallbacks") from exc


def reseal(token):
    """``token`` re-encrypted under the current SECRET_KEY (it may be under a fallback); SecretUnreadable if no key opens it."""
    try:
        return _keys().rotate(str(token).encode()).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("the stored secret does not open with SECRET_KEY or its fallbacks") from exc


def new_encrypted_secret():
    """Model default: a fresh secret, stored encrypted."""
    return encrypt_secret(new_webhook_secret())
