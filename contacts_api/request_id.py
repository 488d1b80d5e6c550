"""The current request's id, for log records (and anything else that records who asked).

Kept apart from the middleware, which imports DRF: the logging configuration loads this
module before the settings are ready.
"""

import contextvars
import logging

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return request_id_var.get()


class RequestIDLogFilter(logging.Filter):
    """Puts the current request id on every log record (`%(request_id)s`)."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True
