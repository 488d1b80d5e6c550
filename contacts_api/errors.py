"""Domain errors raised by services.

Services never raise DRF exceptions (the admin and the management commands call them
too); the API's exception handler maps these to statuses in one place.
"""


class ServiceError(Exception):
    """A business rule refused the operation."""

    code = "service_error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class ServiceValidationError(ServiceError):
    """Input breaks a rule; `errors` maps a field name to a list of messages (422)."""

    code = "validation_failed"

    def __init__(self, errors: dict[str, list[str]], message: str = "The given data was invalid."):
        super().__init__(message)
        self.errors = errors


class ConflictError(ServiceError):
    """The operation does not fit the resource's current state (409)."""

    code = "conflict"


class NotFoundError(ServiceError):
    """The row the operation needs is gone (404)."""

    code = "not_found"


class PreconditionFailed(ServiceError):
    """The caller's `If-Match` does not name the row's current version (412)."""

    code = "precondition_failed"

    def __init__(self, message: str = "The contact has changed since you read it."):
        super().__init__(message)
