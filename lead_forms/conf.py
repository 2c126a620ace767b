"""The app's settings, each with its default, read through ``get()`` everywhere.

A host project sets any of these in its Django settings; what it leaves out
takes the default here.
"""

from django.conf import settings

DEFAULTS = {
    # Patient-data encryption keys (lead_forms.crypto): url-safe base64 of 32 random bytes each,
    # newest first. Required unless LEAD_FORMS_THROWAWAY_KEYS is on.
    "LEAD_FORMS_ENCRYPTION_KEYS": [],
    # Key(s) of the search tokens (blind indexes), newest first; never one of the encryption keys.
    "LEAD_FORMS_SEARCH_KEY": [],
    # Development and tests only: derive throwaway keys from SECRET_KEY when none are set.
    "LEAD_FORMS_THROWAWAY_KEYS": False,
    # Staff with the patient-data permission are signed out after this many idle seconds.
    "LEAD_FORMS_IDLE_LOGOUT_SECONDS": 900,
}


def get(name):
    """The value of setting ``name`` (one of ``DEFAULTS``) in the host's settings, or its default."""
    return getattr(settings, name, DEFAULTS[name])
