"""Structured logs: one JSON object per line, each carrying the request's id.

The id comes from a trusted ``X-Request-ID`` header (``TRUST_REQUEST_ID_HEADER``,
for a load balancer that sets one) or is generated, and is echoed in the response
so a reader's report can be matched to log lines. Only the path is ever logged:
never query strings or request bodies, which on form pages hold patient data.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.conf import settings

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_request_id = contextvars.ContextVar("request_id", default=None)

access_logger = logging.getLogger("cms_site.access")

# Attributes a log call may add through ``extra=`` that the JSON line carries.
_EXTRA_FIELDS = ("method", "path", "status", "duration_ms")


def current_request_id():
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    """Adds the current request's id (or ``None`` outside requests) to every record."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message, request id, extras."""

    def format(self, record):
        data = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for field in _EXTRA_FIELDS:
            if hasattr(record, field):
                data[field] = getattr(record, field)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str)


class RequestIdMiddleware:
    """Gives each request an id, echoes it in ``X-Request-ID`` and logs one access line.

    Outermost middleware, so every log line written while the request runs,
    including Django's own error logs, carries the id.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trust_header = getattr(settings, "TRUST_REQUEST_ID_HEADER", False)
        self.log_requests = getattr(settings, "ACCESS_LOG", True)

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        if self.trust_header and _VALID_REQUEST_ID.match(incoming):
            request_id = incoming
        else:
            request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            if self.log_requests:
                access_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        # The path only: query strings can carry what a patient typed.
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )
            return response
        finally:
            _request_id.reset(token)
