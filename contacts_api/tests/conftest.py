"""Fixtures of the tests that run the service as `make run` serves it."""

import json
import urllib.request

import pytest

from contacts_api.testing import running


@pytest.fixture
def served(tmp_path):
    """make run's layout with the demo data, its schema and a key (a fresh one per test:
    the generated-client walks end by tripping the failed-authentication limit)."""
    with running("make run", tmp_path, API_AUTH_FAILURE_LIMIT="5/min", WEBHOOKS_ALLOW_PRIVATE_NETWORKS="true") as server:
        schema = urllib.request.urlopen(f"{server['base']}/api/schema/?format=json", timeout=10).read()
        (tmp_path / "schema.json").write_bytes(schema)
        yield {**server, "home": tmp_path, "schema": json.loads(schema)}
