"""Helpers for the test suites of every app."""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

USING_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))

requires_postgres = pytest.mark.skipif(
    not USING_POSTGRES, reason="needs PostgreSQL: run with DATABASE_URL=postgres://..."
)


def envelope_error(response) -> tuple[int, str]:
    """(status, code) of an error response, checking the envelope's shape on the way."""
    body = response.json()
    assert body["success"] is False
    assert set(body) <= {"success", "message", "code", "errors"}
    assert ("errors" in body) == (response.status_code == 422)
    return response.status_code, body["code"]


def run_command(name: str, *args, stdin: bytes | None = None, **options):
    """Run a management command; return (exit code, stdout, stderr)."""
    import io
    import sys

    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    saved_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        call_command(name, *args, stdout=out, stderr=err, **options)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    finally:
        sys.stdin = saved_stdin
    return code, out.getvalue(), err.getvalue()


def write_file(tmp_path, content: str | bytes, name: str) -> str:
    """Write a small input file for a command test; return its path."""
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def free_port() -> int:
    """A loopback port nothing listens on now (for a server a test or bench starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args) -> str:
    """Run `manage.py` in a process of its own with `env`; its stdout."""
    return subprocess.run([_PYTHON, "manage.py", *args], cwd=_ROOT, env=env, check=True, capture_output=True,
                          text=True, timeout=300).stdout


def run_concurrently(count, work):
    """Run work(0) ... work(count - 1) in threads released together; their results.

    Each thread has its own database connection, closed when it ends.
    """
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def api_client_for(raw_key: str):
    """An API client that sends this key on every request."""
    from rest_framework.test import APIClient  # this module is also imported before Django is set up (bench)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


class FreezableProxy:
    """A TCP proxy that can freeze: it keeps accepting connections and holds every byte,
    as a stopped server (`kill -STOP`) or a silent partition does. For outage tests and
    bench/faults_bench.py."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.frozen = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        while self.frozen.is_set():  # a frozen server accepts and says nothing
            time.sleep(0.05)
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        for source, target in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target):
        try:
            while data := source.recv(65536):
                while self.frozen.is_set():
                    time.sleep(0.05)
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.frozen.clear()
        self.listener.close()


_ROOT = Path(__file__).resolve().parent.parent
_PYTHON = sys.executable
# How the service is served: make run's (contacts_api.serve) and gunicorn alone.
LAYOUTS = {
    "make run": [_PYTHON, "-m", "contacts_api.serve", "--no-worker"],
    "gunicorn alone": [str(Path(_PYTHON).parent / "gunicorn"), "contacts_api.wsgi", "-c", "gunicorn.conf.py"],
}


@contextmanager
def running(layout: str, home: Path, **settings):
    """`layout` serving a SQLite database of its own in `home`, with the demo data and a
    write key, until the block ends: {"port", "base", "key", "layout"}."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}", "PORT": str(port),
           "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4", **settings}
    env.pop("BIND", None)
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--if-empty")
    key = manage(env, "create_api_key", "--name", "served for a test").strip().splitlines()[-1]
    process = subprocess.Popen(LAYOUTS[layout], cwd=_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail(f"{layout} did not start")
        yield {"port": port, "base": base, "key": key, "layout": layout}
    finally:
        process.terminate()
        process.wait(timeout=20)
