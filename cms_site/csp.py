"""Two Content-Security-Policies: a strict one for the public site, a looser one for the admin.

django-csp's middleware applies ``CONTENT_SECURITY_POLICY`` everywhere; the
Wagtail admin still relies on inline scripts and styles, so requests under the
admin's URL get ``ADMIN_CONTENT_SECURITY_POLICY`` instead (unless a view set its
own policy with django-csp's decorators).
"""

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.urls import reverse


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the admin policy for admin URLs."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and self._is_admin(request):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        return parts

    @staticmethod
    def _is_admin(request):
        return request.path_info.startswith(reverse("wagtailadmin_home"))
