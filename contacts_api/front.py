"""The buffering front of `make run` (`manage.py serve`): slow clients never hold a thread.

gunicorn's threaded workers give each connection a thread while they read its request:
a client that sends its headers or body a byte at a time holds that thread as long as it
likes, and a few dozen of them stop the service. This ASGI application runs in
gunicorn's asyncio worker (`-k asgi`), where such a connection costs a little memory and
nothing else. It reads each request whole (at most API_MAX_BODY_SIZE + 1 bytes, within
the worker's timeout), and only then hands it to the threaded gunicorn behind it, over a
Unix socket, and hands back its answer once it is whole: the application's threads only
ever see complete requests, sent at memory speed. In production a proxy such as nginx
plays this part (README, "Serving").
"""

import asyncio
import os

import django
import orjson

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contacts_api.settings")
django.setup()

from django.conf import settings  # noqa: E402

from contacts_api.api.exceptions import UNAVAILABLE_MESSAGE, body_too_large_message, error_body  # noqa: E402

BACKEND_SOCKET = os.environ.get("FRONT_BACKEND_SOCKET", "")
BACKEND_TIMEOUT_SECONDS = 40  # beyond the backend's own worker timeout (GUNICORN_TIMEOUT)
# Per connection (RFC 9110 7.6.1): never forwarded; the body's length is ours to give.
HOP_BY_HOP = {b"connection", b"keep-alive", b"proxy-connection", b"te", b"trailer", b"transfer-encoding",
              b"upgrade", b"content-length", b"x-forwarded-for", b"expect"}


async def _error(send, status: int, message: str, headers=()) -> None:
    body = orjson.dumps(error_body(status, message))
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive) -> bytes | None:
    """The whole body, None if the client went away; stops one byte past the limit."""
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if len(body) > settings.API_MAX_BODY_SIZE or not message.get("more_body"):
            return bytes(body)


def _request_head(scope, body: bytes) -> bytes:
    target = scope["raw_path"] + (b"?" + scope["query_string"] if scope["query_string"] else b"")
    lines = [scope["method"].encode() + b" " + target + b" HTTP/1.0"]
    forwarded_for = b""
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            forwarded_for = value + b", "
        elif name not in HOP_BY_HOP:
            lines.append(name + b": " + value)
    client = (scope.get("client") or ("", 0))[0].encode()
    lines += [b"x-forwarded-for: " + forwarded_for + client, b"content-length: " + str(len(body)).encode()]
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def _exchange(head: bytes, body: bytes) -> bytes:
    # HTTP/1.0: one request per connection, and an answer that ends where the stream ends.
    reader, writer = await asyncio.open_unix_connection(BACKEND_SOCKET)
    try:
        writer.write(head + body)
        await writer.drain()
        return await reader.read()
    finally:
        writer.close()


def _parse(answer: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.split(b"\r\n")
    headers = []
    for line in lines:
        name, _, value = line.partition(b":")
        if name.strip().lower() not in HOP_BY_HOP - {b"content-length"}:
            headers.append((name.strip().lower(), value.strip()))
    return int(status_line.split()[1]), headers, body


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] != "http":
        return
    body = await _read_body(receive)
    if body is None:
        return
    if len(body) > settings.API_MAX_BODY_SIZE:
        await _error(send, 413, body_too_large_message())
        return
    try:
        answer = await asyncio.wait_for(_exchange(_request_head(scope, body), body), BACKEND_TIMEOUT_SECONDS)
        status, headers, content = _parse(answer)
    except (OSError, TimeoutError, ValueError, IndexError):
        await _error(send, 503, UNAVAILABLE_MESSAGE, headers=[(b"retry-after", b"5")])
        return
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})
