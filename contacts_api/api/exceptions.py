"""The one place where errors become the contract's error envelope (API.md 1.1)."""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from contacts_api.db_deadline import watchdog
from contacts_api.errors import (
    ConflictError,
    NotFoundError,
    PreconditionFailed,
    ServiceError,
    ServiceValidationError,
)

logger = logging.getLogger("contacts_api.errors")

VALIDATION_MESSAGE = "The given data was invalid."
SERVER_ERROR_MESSAGE = "Internal server error."
UNAVAILABLE_MESSAGE = "The service is temporarily unavailable. Please retry later."
UNAVAILABLE_RETRY_AFTER = 5


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's state."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def body_too_large_message() -> str:
    """The 413's message, from the API and from make run's front alike."""
    return f"The request body is larger than the limit of {settings.API_MAX_BODY_SIZE} bytes."


class IdempotencyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still running; retry in a moment."
    default_code = envelope_code = "idempotency_in_progress"
    retry_after = 1


class IdempotencyKeyReused(exceptions.ValidationError):
    """A 422 with a code of its own (API.md 6.2)."""

    envelope_code = "idempotency_key_reused"

    def __init__(self):
        super().__init__({"Idempotency-Key": ["This key was already used with another request."]})


class PreconditionFailedError(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The contact has changed since you read it."
    default_code = "precondition_failed"


class CursorExpiredError(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = (
        "This cursor is older than the events kept; list the contacts again with after= and "
        "follow the feed from a new cursor."
    )
    default_code = envelope_code = "cursor_expired"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = UNAVAILABLE_MESSAGE
    default_code = "service_unavailable"


CODES = {
    400: "bad_request",
    401: "authentication_failed",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "cursor_expired",
    411: "length_required",
    412: "precondition_failed",
    413: "payload_too_large",
    414: "uri_too_long",
    415: "unsupported_media_type",
    417: "expectation_failed",
    422: "validation_failed",
    429: "throttled",
    431: "request_header_fields_too_large",
    500: "server_error",
    501: "not_implemented",
    503: "service_unavailable",
}
# Codes of their own for some answers of a status (API.md 1.1).
SPECIAL_CODES = ("not_authenticated", "idempotency_in_progress", "idempotency_key_reused")


def error_body(status_code: int, message: str, *, code: str | None = None, errors=None) -> dict:
    body = {"success": False, "message": message, "code": code or CODES.get(status_code, "error")}
    if errors is not None:
        body["errors"] = errors
    return body


def flatten_errors(detail) -> dict[str, list[str]]:
    """DRF's error detail as `{field: [message, ...]}`; nested fields join with a dot."""
    if not isinstance(detail, dict):
        return {"non_field_errors": _messages(detail)}
    flat: dict[str, list[str]] = {}
    for field, value in detail.items():
        if isinstance(value, dict):
            for sub_field, messages in flatten_errors(value).items():
                flat[f"{field}.{sub_field}"] = messages
        else:
            flat[str(field)] = _messages(value)
    return flat


def _messages(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [message for item in value for message in _messages(item)]
    if isinstance(value, dict):
        return [f"{key}: {m}" for key, item in value.items() for m in _messages(item)]
    return [str(value)]


def _to_api_exception(exc):
    if isinstance(exc, ServiceValidationError):
        return exceptions.ValidationError(exc.errors)
    if isinstance(exc, NotFoundError):
        return exceptions.NotFound(exc.message)
    if isinstance(exc, ConflictError):
        return Conflict(exc.message)
    if isinstance(exc, PreconditionFailed):
        return PreconditionFailedError(exc.message)
    if isinstance(exc, ServiceError):
        return exceptions.ValidationError({"non_field_errors": [exc.message]})
    if isinstance(exc, SuspiciousOperation):
        # Too many fields (DATA_UPLOAD_MAX_NUMBER_FIELDS), a bad Host, and the like.
        return exceptions.ParseError(f"The request was refused: {exc}")
    if isinstance(exc, (OperationalError, InterfaceError)):
        # The database cannot be reached (or is locked past its busy timeout).
        logger.warning("Database unavailable: %s", exc)
        watchdog.note_error()
        return ServiceUnavailable()
    return exc


def envelope_exception_handler(exc, context):
    """DRF's handler first (rollback, WWW-Authenticate, Retry-After), then reshape.

    Anything else (a bug) is left to propagate: the middleware logs it and answers the
    500 envelope (middleware.server_error).
    """
    exc = _to_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        response.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
        code = getattr(exc, "envelope_code", None)
        response.data = error_body(422, VALIDATION_MESSAGE, code=code, errors=flatten_errors(exc.detail))
        return response

    code = getattr(exc, "envelope_code", None) or CODES.get(response.status_code, "error")
    if isinstance(exc, exceptions.NotAuthenticated):
        code = "not_authenticated"
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    if isinstance(exc, IdempotencyInProgress):
        response["Retry-After"] = str(exc.retry_after)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    message = " ".join(_messages(detail)) if not isinstance(detail, str) else str(detail)
    response.data = error_body(response.status_code, message, code=code)
    return response
