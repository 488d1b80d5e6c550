"""The service as `make run` serves it (contacts_api/serve.py: the buffering front and
gunicorn behind it), and gunicorn alone as a proxy such as nginx would front it; over
sockets."""

import json
import os
import socket
import time

import pytest

from contacts_api.testing import LAYOUTS, manage, running


@pytest.fixture(scope="module", params=list(LAYOUTS))
def server(request, tmp_path_factory):
    """Each layout on a database of its own (demo data), and a write key for it."""
    with running(request.param, tmp_path_factory.mktemp("serving")) as server:
        yield server


def exchange(port: int, raw: bytes, timeout: float = 10) -> tuple[int, dict, bytes]:
    """Send raw bytes; (status, headers, body) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            if "content-length" in headers and len(body) >= int(headers["content-length"]):
                break
    return int(lines[0].split()[1]), headers, body


def request(server, method: str, path: str, body: bytes = b"", headers: str = "") -> tuple[int, dict, bytes]:
    raw = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
           f"Authorization: Bearer {server['key']}\r\n{headers}\r\n").encode() + body
    return exchange(server["port"], raw)


def chunked(payload: dict) -> bytes:
    data = json.dumps(payload).encode()
    half = len(data) // 2
    return b"".join(f"{len(part):x}\r\n".encode() + part + b"\r\n" for part in (data[:half], data[half:])) + b"0\r\n\r\n"


def envelope(answer) -> tuple[int, str]:
    status, headers, body = answer
    assert headers["content-type"].startswith("application/json")
    parsed = json.loads(body)
    assert parsed["success"] is False
    return status, parsed["code"]


def test_a_request_line_too_long_is_a_414_in_the_envelope(server):
    assert envelope(request(server, "GET", "/api/v1/contacts?search=" + "a" * 5000)) == (414, "uri_too_long")


def test_header_fields_too_large_are_a_431_in_the_envelope(server):
    answer = request(server, "GET", "/api/v1/contacts", headers=f"X-Big: {'b' * 9000}\r\n")
    assert envelope(answer) == (431, "request_header_fields_too_large")


def test_a_malformed_request_line_is_a_400_in_the_envelope(server):
    assert envelope(exchange(server["port"], b"GARBAGE\r\n\r\n")) == (400, "bad_request")


def test_a_chunked_patch_is_read_and_applied(server):
    status, _, body = request(server, "GET", "/api/v1/contacts?limit=1")
    contact = json.loads(body)["data"][0]
    status, _, body = request(server, "PATCH", f"/api/v1/contacts/{contact['id']}", chunked({"position": "Chunked"}),
                              "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")
    assert status == 200
    assert json.loads(body)["data"]["job_position"] == "Chunked"


def test_a_chunked_body_over_the_limit_is_a_413(server):
    big = {"first_name": "x" * (1024 * 1024 + 10)}
    answer = request(server, "PATCH", "/api/v1/contacts/1", chunked(big),
                     "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n")
    assert envelope(answer) == (413, "payload_too_large")


def test_slow_clients_hold_no_thread_of_the_make_run_layout(server):
    """50 connections that send their headers a byte at a time, against 4 threads: every
    other request is still answered (how fast: make bench)."""
    if server["layout"] != "make run":
        pytest.skip("gunicorn alone gives each connection a thread while it reads: a proxy fronts it")
    slow = []
    try:
        for _ in range(50):
            sock = socket.create_connection(("127.0.0.1", server["port"]), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            slow.append(sock)
        for _ in range(10):
            for sock in slow:
                sock.send(b"a")
            assert request(server, "GET", "/api/v1/roles")[0] == 200
    finally:
        for sock in slow:
            sock.close()


def test_a_slow_body_is_read_by_the_front_before_the_application_sees_it(server):
    if server["layout"] != "make run":
        pytest.skip("the front's part")
    body = json.dumps({"position": "Slowly"}).encode()
    with socket.create_connection(("127.0.0.1", server["port"]), timeout=10) as sock:
        sock.sendall((f"PATCH /api/v1/contacts/2 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      f"Authorization: Bearer {server['key']}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {len(body)}\r\n\r\n").encode())
        for byte in body:
            sock.send(bytes([byte]))
            time.sleep(0.01)
        answer = sock.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 200")
    assert b'"job_position":"Slowly"' in answer


@pytest.mark.parametrize(("env", "site_url"), [({"PORT": "21080"}, "http://127.0.0.1:21080"),
                                               ({"BIND": "0.0.0.0:9000"}, "http://0.0.0.0:9000"),
                                               ({"PORT": "21080", "SITE_URL": "https://contacts.example.com/"},
                                                "https://contacts.example.com")])
def test_the_welcome_emails_site_url_follows_where_make_run_serves(env, site_url):
    base = {k: v for k, v in os.environ.items() if k not in ("PORT", "BIND", "SITE_URL")}
    printed = manage({**base, **env}, "shell", "-c", "from django.conf import settings; print(settings.SITE_URL)")
    assert printed.strip().splitlines()[-1] == site_url
