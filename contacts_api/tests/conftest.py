"""Fixtures of the tests that run the service as `make run` serves it."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from contacts_api.testing import free_port, manage

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


@pytest.fixture
def served(tmp_path):
    """make run's layout on a database of its own with the demo data; its schema and a key."""
    home = tmp_path
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{home / 'db.sqlite3'}", "PORT": str(port),
           "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4", "API_AUTH_FAILURE_LIMIT": "5/min",
           "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true"}
    env.pop("BIND", None)
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--if-empty")
    key = manage(env, "create_api_key", "--name", "generated clients").strip().splitlines()[-1]
    process = subprocess.Popen([PYTHON, "-m", "contacts_api.serve", "--no-worker"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                schema = urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("the server did not start")
        (home / "schema.json").write_bytes(schema)
        yield {"base": base, "key": key, "home": home, "schema": json.loads(schema)}
    finally:
        process.terminate()
        process.wait(timeout=20)
