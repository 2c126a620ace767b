"""Automatic sign-out of idle staff who may read patient data.

A user with the patient-data permission (``lead_forms.inbox.permissions``) who has
done nothing for ``LEAD_FORMS_IDLE_LOGOUT_SECONDS`` (900 by default) is signed
out on their next request, which then goes to the login page like any
signed-out visit. The last activity is a timestamp in the session (written at
most every ``TOUCH_SECONDS``, not on every request). Other users, editors
included, keep the normal admin session.

Activity is what a person does, not what an open tab sends by itself:

- Requests the admin sends on a timer or when a tab closes are not activity
  (``LEAD_FORMS_IDLE_BACKGROUND_URL_NAMES``: Wagtail's editing-session ping,
  every 10 seconds while an edit view is open, and its release), nor is the
  idle script asking how long is left. They are still signed out when due.
- Wagtail's autosave *is* activity: it posts a draft only after the form
  changed (its ``w-unsaved:add`` event, about half a second after a
  keystroke or a chooser pick), never on a timer, so it is a person typing.
- Typing or clicking in the admin without sending anything (a long note) is
  activity too: the idle script (``lead_forms/js/idle-logout.js``) reports it
  ("stay signed in", a POST to the session view) when the warning would be due,
  and warns a minute before the end only when the person did nothing.

The middleware also keeps ``GET /admin/logout/`` honest: Django's logout view
answers 405 to anything but POST, yet Wagtail's deleted the session cookie
while the session stayed valid on the server. It is answered 405 before
Wagtail's view runs, so the cookie and the session stay together.
"""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseNotAllowed
from django.utils.translation import ngettext

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


def is_background(request, view_func):
    """True for requests an open admin tab sends by itself (not a person's activity)."""
    if getattr(view_func, "lead_forms_idle_passive", False) and request.method == "GET":
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in app_settings.LEAD_FORMS_IDLE_BACKGROUND_URL_NAMES


# Django's LogoutView takes POST (and OPTIONS) only.
LOGOUT_URL_NAME = "wagtailadmin_logout"
LOGOUT_METHODS = ("POST", "OPTIONS")


class IdleLogoutMiddleware:
    """Signs out idle patient-data staff; after AuthenticationMiddleware and MessageMiddleware's storage."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == LOGOUT_URL_NAME and request.method not in LOGOUT_METHODS:
            # Before Wagtail's LogoutView, which deletes the cookie even on the 405 it answers.
            return HttpResponseNotAllowed(LOGOUT_METHODS)
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
                ngettext(
                    "You were signed out after %(minutes)d minute without activity.",
                    "You were signed out after %(minutes)d minutes without activity.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            return None
        if is_background(request, view_func):
            return None
        if last is None or now - last >= TOUCH_SECONDS:
            touch(request, now)
        return None
