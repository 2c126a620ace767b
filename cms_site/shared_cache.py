"""The app's side of the site's shared cache (Varnish, deploy/varnish/clinic.vcl).

* :class:`PublicResponseVaryMiddleware`: a page the apps marked public is by contract the
  same for every anonymous reader, but Django's session middleware adds ``Vary: Cookie``
  whenever a template looked at ``request.user``; a cache would then keep a copy per
  reader's cookies (the VCL refuses to store it at all). Dropped from public responses.
* :class:`SessionCheckMiddleware`: Varnish cannot tell a signed-in editor's session cookie
  from a made-up or expired one (``Cookie: sessionid=x``), so it passes such requests, and
  each would cost a full render. Instead it asks first (``X-Session-Check: 1``): a session
  that holds nothing (unknown, expired, or empty) answers at once with an empty
  ``X-Session: none`` response, costing one session lookup, and Varnish serves the
  cached page without the cookie (and tells the browser to drop it). A session holding
  anything (a sign-in, an unlocked page) is served as before.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, cc_delim_re

SESSION_CHECK_HEADER = "X-Session-Check"
SESSION_ANSWER_HEADER = "X-Session"


class PublicResponseVaryMiddleware:
    """Drops ``Cookie`` from ``Vary`` on responses marked ``public``. Sits before (outside)
    SessionMiddleware, so it sees the header that middleware added."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        directives = {part.strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
        if "public" in directives and response.has_header("Vary"):
            kept = [
                v.strip()
                for v in cc_delim_re.split(response["Vary"])
                if v.strip().lower() not in ("", "cookie")
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response


class SessionCheckMiddleware:
    """Answers Varnish's "is this session anyone?" with one session lookup. Sits right after
    SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and request.headers.get(SESSION_CHECK_HEADER) == "1"
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.session.keys()
        ):
            response = HttpResponse(status=204)
            response[SESSION_ANSWER_HEADER] = "none"
            add_never_cache_headers(response)
            return response
        return self.get_response(request)
