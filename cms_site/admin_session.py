"""Shorter sessions for people who can use the Wagtail admin.

Django has one ``SESSION_COOKIE_AGE`` (two weeks) for every session, and Wagtail's
login form, unless "Remember me" is ticked, only makes the *cookie* end with the
browser while the session stays valid on the server for that long. This
middleware gives the session of anyone who may access the admin its own lifetime,
``ADMIN_SESSION_COOKIE_AGE`` seconds, through ``request.session.set_expiry``:
whenever such a session is saved (logging in saves it) the server-side expiry and
the cookie's max-age become that age. Other sessions keep ``SESSION_COOKIE_AGE``.
"""

from django.conf import settings


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
            if session.get("_session_expiry") != age:
                session.set_expiry(age)
        return response
