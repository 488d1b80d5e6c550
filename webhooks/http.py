"""Sending one webhook request without letting the URL reach inside our network.

Every delivery resolves the name again, refuses loopback, private, link-local, multicast
and reserved addresses (unless WEBHOOKS_ALLOW_PRIVATE_NETWORKS), and connects to the very
address it checked, so that a name that changes its answer between the check and the
connection (DNS rebinding) gains nothing. Redirects are not followed; the whole exchange
is cut off at WEBHOOKS_TIMEOUT_SECONDS, and at most 64 KiB of the answer is read.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_ANSWER_BYTES = 64 * 1024


class UnsafeURL(ValueError):
    """The URL may not receive webhooks; the message says why."""


def _allowed_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def checked_target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, the address to connect to) for a URL that may be called."""
    parts = urlsplit(url)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS
    if parts.scheme not in (("https", "http") if allow_private else ("https",)):
        raise UnsafeURL("Use an https:// URL." if not allow_private else "Use an http:// or https:// URL.")
    if not parts.hostname:
        raise UnsafeURL("The URL has no host.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise UnsafeURL("The URL's port is not valid.") from error
    try:
        answers = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeURL(f"The host {parts.hostname} cannot be resolved.") from error
    addresses = [answer[4][0] for answer in answers]
    if not allow_private and not all(_allowed_address(address) for address in addresses):
        raise UnsafeURL("The host resolves to a private, loopback, link-local or multicast address.")
    return parts.scheme, parts.hostname, port, addresses[0]


@dataclass
class Answer:
    status: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict) -> Answer:
    started = time.monotonic()
    timeout = settings.WEBHOOKS_TIMEOUT_SECONDS

    def answer(status, error=""):
        return Answer(status, error[:300], int((time.monotonic() - started) * 1000))

    try:
        scheme, host, port, address = checked_target(url)
    except UnsafeURL as error:
        return answer(None, str(error))
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    def left() -> float:
        return max(0.05, timeout - (time.monotonic() - started))

    try:
        connection.request("POST", path, body=body, headers={**headers, "Content-Type": "application/json"})
        sock = connection.sock  # the response reads from it after the connection lets it go
        sock.settimeout(left())  # the whole exchange, not each read, has the limit
        response = connection.getresponse()
        remaining = MAX_ANSWER_BYTES
        while remaining > 0 and not response.isclosed() and time.monotonic() - started < timeout:
            sock.settimeout(left())
            chunk = response.read(min(remaining, 8192))
            if not chunk:
                break
            remaining -= len(chunk)
        if time.monotonic() - started >= timeout:
            return answer(None, f"timed out after {timeout} s")
        return answer(response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}")
    except (OSError, http.client.HTTPException) as error:
        return answer(None, f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)
    finally:
        connection.close()
