"""Helpers for the test suites of every app."""

import os

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


def app_queries(captured) -> list[str]:
    """The SQL a request ran, less the database cache's own statements.

    Without REDIS_URL the rate-limit counters live in a database table; those statements
    are the cache's, not the endpoint's.
    """
    return [
        query["sql"]
        for query in captured.captured_queries
        if "django_cache" not in query["sql"]
        and not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
    ]
