"""Shorter sessions for people who can use the Wagtail admin.

Django has one ``SESSION_COOKIE_AGE`` for every session. When a user who may
access the admin logs in, their session gets its own expiry,
``ADMIN_SESSION_COOKIE_AGE`` seconds (``request.session.set_expiry``): the
session then ends that long after it was last saved, and the cookie's max-age
follows. Other sessions keep ``SESSION_COOKIE_AGE``.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in


def shorten_admin_session(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    if user.has_perm("wagtailadmin.access_admin"):
        request.session.set_expiry(settings.ADMIN_SESSION_COOKIE_AGE)


def connect():
    user_logged_in.connect(shorten_admin_session, dispatch_uid="admin_session_age")
