"""Automatic sign-out of idle staff who may read patient data.

A user with the patient-data permission (``lead_forms.inbox.permissions``) who has
sent no request for ``LEAD_FORMS_IDLE_LOGOUT_SECONDS`` (900 by default) is
signed out on their next request, which then goes to the login page like any
signed-out visit. The last activity is a timestamp in the session (written at
most every ``TOUCH_SECONDS``, not on every request). The admin's idle script
(``lead_forms/js/idle-logout.js``) asks the session view how long is left,
which is not activity, and warns a minute before. Other users, editors
included, keep the normal admin session.
"""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext

from .conf import app_settings
from .inbox.permissions import user_can_view_requests

SESSION_KEY = "lead_forms_last_activity"
TOUCH_SECONDS = 10


def idle_seconds():
    return int(app_settings.LEAD_FORMS_IDLE_LOGOUT_SECONDS)


def subject_to_idle_logout(user):
    return user_can_view_requests(user) and idle_seconds() > 0


def seconds_left(request, now=None):
    """Seconds before ``request``'s user is signed out for inactivity (None when it does not apply)."""
    if not subject_to_idle_logout(getattr(request, "user", None)):
        return None
    last = request.session.get(SESSION_KEY)
    now = time.time() if now is None else now
    return idle_seconds() if last is None else max(0, int(last + idle_seconds() - now))


def touch(request, now=None):
    request.session[SESSION_KEY] = time.time() if now is None else now


class IdleLogoutMiddleware:
    """Signs out idle patient-data staff; after AuthenticationMiddleware and MessageMiddleware's storage."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not subject_to_idle_logout(user):
            return None
        now = time.time()
        last = request.session.get(SESSION_KEY)
        if last is not None and now - last > idle_seconds():
            logout(request)
            minutes = max(1, idle_seconds() // 60)
            messages.info(
                request,
                gettext("You were signed out after %(minutes)d minutes without activity.")
                % {"minutes": minutes},
            )
            return None
        # The idle script asking how long is left is not activity.
        if getattr(view_func, "lead_forms_idle_passive", False) and request.method == "GET":
            return None
        if last is None or now - last >= TOUCH_SECONDS:
            touch(request, now)
        return None
