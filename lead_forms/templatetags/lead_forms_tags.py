"""Template tags of the form pages."""

from django import template

from lead_forms.conf import app_settings

register = template.Library()


@register.simple_tag
def lead_forms_frontend():
    """What the form page templates add around the host's base template, from the settings.

    ``{% lead_forms_frontend as frontend %}`` then ``frontend.assets``
    (``LEAD_FORMS_FRONTEND_ASSETS``: the app's own stylesheet and script) and
    ``frontend.breadcrumb`` (``LEAD_FORMS_BREADCRUMB``). Read per render, so
    ``override_settings`` and a host's settings both apply.
    """
    return {
        "assets": bool(app_settings.LEAD_FORMS_FRONTEND_ASSETS),
        "breadcrumb": bool(app_settings.LEAD_FORMS_BREADCRUMB),
    }
