"""Session engines that give admin users' sessions their own server-side lifetime.

Django derives a session's server-side expiry from ``SESSION_COOKIE_AGE`` whenever
its cookie ends with the browser (``set_expiry(0)``, what Wagtail's login does when
"Remember me" is not ticked), through ``SessionBase.get_session_cookie_age()``, the
hook Django documents for custom engines. These engines answer that hook with the
age ``cms_site.admin_session.AdminSessionAgeMiddleware`` stored in the session, so
an admin session whose cookie ends with the browser still expires on the server
after ``ADMIN_SESSION_COOKIE_AGE``. Other sessions are Django's, unchanged.

``cms_site.sessions.db`` and ``cms_site.sessions.cached_db`` stand in for Django's
engines of the same names (``SESSION_ENGINE``).
"""

ADMIN_SESSION_AGE_KEY = "cms_site.admin_session_age"


class AdminSessionAgeMixin:
    """Server-side age: the admin age stored in the session, else ``SESSION_COOKIE_AGE``."""

    def get_session_cookie_age(self):
        return self.get(ADMIN_SESSION_AGE_KEY) or super().get_session_cookie_age()
