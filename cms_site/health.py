"""``/healthz`` for load balancers: is this app server able to use its database and cache?

Answered by a middleware placed right after SecurityMiddleware (whose HTTPS
redirect exempts it through ``SECURE_REDIRECT_EXEMPT``), so it works over plain
HTTP, for any ``Host`` header a probe sends (before ALLOWED_HOSTS is checked), and
is never stored by the page cache.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

HEALTH_PATHS = ("/healthz", "/healthz/")


def check_database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def check_cache():
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        return cache.get(key) == "ok"
    finally:
        cache.delete(key)


CHECKS = {"database": check_database, "cache": check_cache}


def health_response():
    results = {}
    for name, check in CHECKS.items():
        try:
            healthy = check()
        except Exception:
            logger.exception("health check %s failed", name)
            healthy = False
        results[name] = "ok" if healthy else "unavailable"
    failed = [name for name, result in results.items() if result != "ok"]
    body = {"status": "unavailable" if failed else "ok", "checks": results}
    if failed:
        body["failed"] = failed
    response = JsonResponse(body, status=503 if failed else 200)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """Answers GET/HEAD ``/healthz`` itself; everything else passes through."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path in HEALTH_PATHS and request.method in ("GET", "HEAD"):
            return health_response()
        return self.get_response(request)
