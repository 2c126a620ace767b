"""System checks: say clearly when patient data is sealed with throwaway keys."""

from django.core import checks

from . import crypto


def throwaway_keys_in_use(app_configs, **kwargs):
    if not crypto.using_throwaway_keys():
        return []
    return [
        checks.Warning(
            "Appointment requests are encrypted with THROWAWAY keys derived from SECRET_KEY "
            "(LEAD_FORMS_THROWAWAY_KEYS is on).",
            hint="Fine for development and tests only: what is stored now cannot be read under real keys. "
            "Production sets LEAD_FORMS_ENCRYPTION_KEYS and LEAD_FORMS_SEARCH_KEY.",
            id="lead_forms.W001",
        )
    ]


def register():
    checks.register(throwaway_keys_in_use, "lead_forms")
