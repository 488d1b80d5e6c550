"""Request id, per-request log line and API response headers."""

import contextvars
import json
import logging
import re
import time
import uuid

from django.http import HttpResponse

logger = logging.getLogger("contacts_api.requests")

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
API_PREFIX = "/api/"


def current_request_id() -> str:
    return _request_id.get()


class RequestIDLogFilter(logging.Filter):
    """Puts the current request id on every log record (`%(request_id)s`)."""

    def filter(self, record):
        record.request_id = _request_id.get()
        return True


def json_error_response(body: dict, status: int) -> HttpResponse:
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")


class RequestIDMiddleware:
    """Echo a sane `X-Request-ID` or make one; log one line per request.

    API responses also get `Cache-Control: no-store` (they hold personal data), and an
    exception that escapes to here on an API path becomes the 500 envelope, never a
    debug page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request_id = sent if _SANE_REQUEST_ID.match(sent) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if request.path.startswith(API_PREFIX):
                response["Cache-Control"] = "no-store"
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            _request_id.reset(token)

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        from .exceptions import SERVER_ERROR_MESSAGE, error_body

        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return json_error_response(error_body(500, SERVER_ERROR_MESSAGE), 500)
