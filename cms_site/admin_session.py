"""Shorter sessions for people who can use the Wagtail admin.

Django has one ``SESSION_COOKIE_AGE`` (two weeks) for every session. This
middleware gives the session of anyone who may access the admin its own lifetime,
``ADMIN_SESSION_COOKIE_AGE`` seconds, whenever such a session is saved (logging in
saves it), and keeps the choice the person made on Wagtail's login form:

- "Remember me" ticked: a persistent cookie, and a session, of that age;
- not ticked: a cookie that ends when the browser closes (no ``Expires`` or
  ``Max-Age``), while on the server the session still expires after that age
  (the session engines in ``cms_site.sessions`` read the age stored here).

Other sessions keep ``SESSION_COOKIE_AGE``.
"""

from django.conf import settings

from cms_site.sessions import ADMIN_SESSION_AGE_KEY


class AdminSessionAgeMiddleware:
    """Caps the session age of admin users; after AuthenticationMiddleware, before the session is saved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.modified:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.has_perm("wagtailadmin.access_admin"):
            age = settings.ADMIN_SESSION_COOKIE_AGE
            if session.get(ADMIN_SESSION_AGE_KEY) != age:
                session[ADMIN_SESSION_AGE_KEY] = age
            # "Remember me" not ticked (set_expiry(0)): the cookie stays a browser-session one.
            if not session.get_expire_at_browser_close() and session.get("_session_expiry") != age:
                session.set_expiry(age)
        return response
