"""Two Content-Security-Policies: a strict one for the public site, a looser one for the admin.

django-csp's middleware applies ``CONTENT_SECURITY_POLICY`` everywhere; the
Wagtail admin still relies on inline scripts and styles, so requests under the
admin's URL get ``ADMIN_CONTENT_SECURITY_POLICY`` instead (unless a view set its
own policy with django-csp's decorators).

Previews are public pages rendered for the admin: Wagtail serves them through a
second pass of the middleware with a request for the page's own URL, flagged
``is_preview``. They keep the public policy except that the admin (this site) may
frame them, and, with a headless front end, they may frame that front end's
preview URL (``wagtail_headless_preview`` answers with a page that frames it).
Live public pages still refuse every frame (``frame-ancestors 'none'``).
"""

from urllib.parse import urlsplit

from csp.constants import SELF
from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.urls import reverse


def headless_preview_origins():
    """Origins of the front ends a headless preview frames (from ``WAGTAIL_HEADLESS_PREVIEW``)."""
    client_urls = (getattr(settings, "WAGTAIL_HEADLESS_PREVIEW", None) or {}).get("CLIENT_URLS") or {}
    origins = []
    for url in client_urls.values():
        parts = urlsplit(url)
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the admin policy for admin URLs and letting the admin frame previews."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if self._is_admin(request):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        elif getattr(request, "is_preview", False):
            parts.replace = {
                **(parts.replace or {}),
                "frame-ancestors": [SELF],
                "frame-src": [SELF, *headless_preview_origins()],
            }
        return parts

    @staticmethod
    def _is_admin(request):
        return request.path_info.startswith(reverse("wagtailadmin_home"))
