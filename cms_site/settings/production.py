"""Production: base settings as they are; everything else from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

# Patient data is stored encrypted: this site refuses to start without its keys (the plugin
# itself only reports them missing, as the system check lead_forms.E011). Dev and test
# settings derive throwaway keys instead (README: "Patient data encryption").
for _name in ("LEAD_FORMS_ENCRYPTION_KEYS", "LEAD_FORMS_SEARCH_KEY"):
    if not [key for key in globals().get(_name) or [] if key.strip()]:
        raise ImproperlyConfigured(
            f"{_name} is not set. Appointment requests are stored encrypted and cannot be read or "
            f"written without it: set the {_name} environment variable (this site reads it into the "
            f'setting of the same name). Generate a key with: python -c "import base64, secrets; '
            f'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
        )
