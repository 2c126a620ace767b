"""The admin's idle-session endpoint, read by ``lead_forms/js/idle-logout.js``.

GET says whether the signed-in user is subject to idle sign-out and how many
seconds are left (it does not count as activity); POST ("Stay signed in")
counts as activity. Nothing about patients is sent.
"""

from django.http import JsonResponse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ..middleware import seconds_left, touch

# The warning shows this long before the sign-out; a polite status line speaks at each milestone
# (seconds left), while the countdown on screen changes every second unannounced.
WARN_SECONDS = 60
MILESTONE_SECONDS = (30, 10)


def milestone_messages():
    """What the warning's status line says at each milestone: {seconds left: message}."""
    return {
        seconds: ngettext(
            "%(seconds)d second left before you are signed out.",
            "%(seconds)d seconds left before you are signed out.",
            seconds,
        )
        % {"seconds": seconds}
        for seconds in MILESTONE_SECONDS
    }


@require_http_methods(["GET", "POST"])
def idle_session(request):
    if request.method == "POST" and seconds_left(request) is not None:
        touch(request)
    left = seconds_left(request)
    response = JsonResponse({"idle_logout": left is not None, "seconds_left": left})
    response["Cache-Control"] = "no-store"
    return response


idle_session.lead_forms_idle_passive = True
