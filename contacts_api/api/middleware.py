"""Request id, per-request log line and API response headers."""

import logging
import re
import time
import uuid

from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.http import JsonResponse
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import server_error as django_server_error

from contacts_api.request_id import request_id_var

from .exceptions import SERVER_ERROR_MESSAGE, error_body

logger = logging.getLogger("contacts_api.requests")

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SET_PASSWORD_LINK = re.compile(r"^(/accounts/reset/[^/]+/)[^/]+/")


def loggable_path(path: str) -> str:
    """The path as a log line may show it: control characters escaped (no forged lines),
    the one-time token of a set-password link masked."""
    path = _SET_PASSWORD_LINK.sub(r"\1********/", path)
    return _UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}", path)


_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
API_PREFIX = "/api/"


def server_error(request, *args, **kwargs):
    """The 500 of an API path: the envelope, never a traceback, whatever DEBUG says
    (API.md 1.1); Django's page elsewhere. It is Django's handler500 (an error outside a
    view) and the answer of process_exception below (an error in one, also in DEBUG)."""
    if not request.path.startswith(API_PREFIX):
        return django_server_error(request, *args, **kwargs)
    return JsonResponse(error_body(500, SERVER_ERROR_MESSAGE), status=500)


def refused(exception: SuspiciousOperation) -> JsonResponse:
    """The 400 envelope of a request Django refuses as suspicious (too many fields, a bad
    Host); the message never echoes what was sent or the settings."""
    if isinstance(exception, DisallowedHost):
        message = "The Host header names no host this service answers for."
    else:
        message = f"The request was refused: {exception}"
    return JsonResponse(error_body(400, message), status=400)


def bad_request(request, exception, *args, **kwargs):
    """Django's handler400 (a SuspiciousOperation raised outside a view, such as a bad
    Host in CommonMiddleware): the envelope on API paths, Django's page elsewhere."""
    if not request.path.startswith(API_PREFIX):
        return django_bad_request(request, exception, *args, **kwargs)
    return refused(exception)


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
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if request.path.startswith(API_PREFIX):
                response["Cache-Control"] = "no-store"
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                loggable_path(request.path),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
            return response
        finally:
            request_id_var.reset(token)

    def process_exception(self, request, exception):
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, SuspiciousOperation):  # e.g. too many fields on the schema view
            return refused(exception)
        logger.exception("Unhandled error on %s %s", request.method, loggable_path(request.path))
        return server_error(request)
