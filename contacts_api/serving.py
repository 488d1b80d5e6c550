"""What the WSGI server needs beyond Django: answers in the envelope for requests gunicorn
refuses before the application runs, and request bodies sent with chunked encoding."""

import io
from http import HTTPStatus

import orjson
from gunicorn import util
from gunicorn.asgi.protocol import ASGIProtocol

# gunicorn's statuses for a request it cannot parse (gunicorn.workers.base.handle_error).
GUNICORN_MESSAGES = {
    400: "The request could not be parsed.",
    414: "The request line (method, path and query string) is too long.",
    417: "The Expect header is not supported.",
    431: "The request's header fields are too large or too many.",
    501: "The transfer coding is not supported.",
}


def envelope_answer(status: int, extra_headers=()) -> bytes:
    """A whole HTTP answer with the error envelope (API.md 1.1) for `status`."""
    from contacts_api.api.exceptions import error_body  # the app is loaded by now

    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    body = orjson.dumps(error_body(status, GUNICORN_MESSAGES.get(status, reason)))
    extra = "".join(f"{name}: {value}\r\n" for name, value in extra_headers)
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Cache-Control: no-store\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
    )
    return head.encode("latin-1") + body


def write_envelope_error(sock, status_int, reason, mesg):
    """gunicorn's util.write_error (threaded workers), in the envelope instead of an HTML
    page; gunicorn's own detail, which can quote the request, is logged, not sent."""
    util.write_nonblock(sock, envelope_answer(status_int))


def asgi_envelope_error(self, status, message, extra_headers=()):
    """ASGIProtocol._send_error_response (the asyncio worker of the front), likewise."""
    self._safe_write(envelope_answer(status, extra_headers))


def install_envelope_errors() -> None:
    """gunicorn.conf.py calls this: both kinds of worker write their parse errors so."""
    util.write_error = write_envelope_error
    ASGIProtocol._send_error_response = asgi_envelope_error


class ChunkedRequestBodies:
    """WSGI middleware: a body sent with `Transfer-Encoding: chunked` is read, not dropped.

    gunicorn decodes the chunks but gives no CONTENT_LENGTH, and Django reads a body
    without one as empty (a PATCH answered "updated" with nothing changed). Read it here,
    at most API_MAX_BODY_SIZE + 1 bytes, and give its length: a longer one is then the
    usual 413.
    """

    def __init__(self, application, limit: int):
        self.application = application
        self.limit = limit

    def __call__(self, environ, start_response):
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(self.limit + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.application(environ, start_response)
