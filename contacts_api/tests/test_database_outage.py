"""A hung PostgreSQL, as gunicorn meets it: 503s instead of hung requests, and recovery.

PostgreSQL sits behind a proxy of our own that can freeze: it keeps accepting connections
and holds every byte, as a stopped server (`kill -STOP`) or a silent partition does.
"""

import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from contacts_api.testing import FreezableProxy, requires_postgres
from contacts_api.tests.test_serving import exchange

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
CLIENT_TIMEOUT = 12  # far below gunicorn's 30 s worker timeout: an answer, not a killed worker


@pytest.fixture
def service(make_api_key):
    db = connection.settings_dict
    proxy = FreezableProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
           "PORT": str(port), "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "8",
           "DB_REQUEST_TIMEOUT_SECONDS": "2", "DB_CONNECT_TIMEOUT": "2", "DB_BACKOFF_SECONDS": "1"}
    env.pop("BIND", None)
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "contacts_api.wsgi", "-c", "gunicorn.conf.py"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    key = make_api_key()[1]
    try:
        for _ in range(150):
            try:
                if get(port, "/healthz", key)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield {"port": port, "key": key, "proxy": proxy}
    finally:
        process.terminate()
        process.wait(timeout=20)
        proxy.close()


def get(port: int, path: str, key: str):
    raw = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-API-Key: {key}\r\n\r\n".encode()
    return exchange(port, raw, timeout=CLIENT_TIMEOUT)


def test_a_hung_database_is_503s_healthz_answers_and_the_service_recovers(service):
    port, key, proxy = service["port"], service["key"], service["proxy"]
    assert get(port, "/api/v1/contacts", key)[0] == 200  # connections made and in use

    proxy.frozen.set()
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda path: get(port, path, key), ["/api/v1/contacts", "/api/v1/roles"] * 3))
        assert get(port, "/healthz", key)[0] == 200
    for status, headers, body in answers:
        assert (status, json.loads(body)["code"]) == (503, "service_unavailable")
        assert headers["retry-after"].isdigit()
    assert get(port, "/readyz", key)[0] == 503

    proxy.frozen.clear()
    deadline = time.monotonic() + 15
    while get(port, "/api/v1/roles", key)[0] != 200:
        assert time.monotonic() < deadline, "no recovery without a restart"
        time.sleep(0.3)
    assert get(port, "/readyz", key)[0] == 200
