"""Conventions every endpoint shares (API.md 1, 5): headers, errors, probes, docs."""

import re

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import override_settings

from contacts.tests.factories import ContactFactory
from contacts.views import ContactViewSet
from contacts_api.api.concurrency import list_slot
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db


def test_a_sane_request_id_is_echoed(api):
    response = api.get("/api/v1/roles", headers={"X-Request-ID": "abc-123"})
    assert response["X-Request-ID"] == "abc-123"


@pytest.mark.parametrize("sent", [None, "", "bad id with spaces", "x" * 200])
def test_otherwise_a_request_id_is_generated(api, sent):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    response = api.get("/api/v1/roles", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_every_request_is_logged_with_its_id(api, caplog):
    caplog.set_level("INFO", logger="contacts_api.requests")
    api.get("/api/v1/roles", headers={"X-Request-ID": "trace-me"})
    record = next(r for r in caplog.records if r.name == "contacts_api.requests")
    assert record.getMessage().startswith("GET /api/v1/roles 200 ")
    assert record.request_id == "trace-me"


def test_api_responses_are_not_cached(api, anon_client):
    assert api.get("/api/v1/roles")["Cache-Control"] == "no-store"
    assert anon_client.get("/api/v1/roles")["Cache-Control"] == "no-store"


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/contacts", "/api/", "/api/v1/contacts/abc"])
def test_unknown_api_urls_are_a_404_in_the_envelope(api, method, path):
    response = getattr(api, method)(path)
    assert envelope_error(response) == (404, "not_found")
    assert response["Content-Type"] == "application/json"


def test_an_unsupported_method_is_a_405(api):
    assert envelope_error(api.put("/api/v1/contacts")) == (405, "method_not_allowed")


def test_json_is_returned_whatever_the_client_accepts(api):
    response = api.get("/api/v1/roles", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


@override_settings(DEBUG=True)
def test_a_bug_is_a_500_envelope_without_a_traceback_even_in_debug(api, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(ContactViewSet, "list", explode)
    api.raise_request_exception = False
    response = api.get("/api/v1/contacts")
    assert envelope_error(response) == (500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


def refuse_connection(self):
    raise OperationalError("connection refused")


def test_an_unreachable_database_is_a_503_with_retry_after(api, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse_connection)
        response = api.get("/api/v1/roles")
    assert envelope_error(response) == (503, "service_unavailable")
    assert response["Retry-After"] == "5"


def test_healthz_answers_without_a_key(anon_client):
    assert anon_client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_200_when_the_database_answers(anon_client):
    assert anon_client.get("/readyz").status_code == 200


def test_readyz_is_503_when_the_database_does_not(anon_client, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse_connection)
        response = anon_client.get("/readyz")
    assert response.status_code == 503


def test_the_schema_needs_no_key(anon_client):
    response = anon_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/contacts", "/api/v1/contacts/{id}", "/api/v1/contacts/{id}/set-account-owner",
            "/api/v1/clients", "/api/v1/clients/{id}", "/api/v1/roles"} <= set(schema["paths"])
    assert set(schema["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyHeader"}


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_the_docs_pages_load_nothing_from_another_host(anon_client, path):
    response = anon_client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)
    assert external == []


def test_a_list_that_waits_too_long_for_its_turn_is_a_503(api, settings):
    settings.API_CONCURRENT_LISTS, settings.API_LIST_WAIT_SECONDS = 1, 0.05
    with list_slot():  # another request of this process holds the only turn
        response = api.get("/api/v1/contacts")
    assert envelope_error(response) == (503, "service_unavailable")
    assert response["Retry-After"]


def test_a_single_contact_read_does_not_wait_for_a_list_turn(api, settings):
    settings.API_CONCURRENT_LISTS, settings.API_LIST_WAIT_SECONDS = 1, 0.05
    contact = ContactFactory()
    with list_slot():
        assert api.get(f"/api/v1/contacts/{contact.pk}").status_code == 200


def test_the_production_settings_of_the_readme_pass_the_deploy_check(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "api.example.com", "SECRET_KEY": "x" * 60 + "-Q7+k#",
           "SECURE_SSL_REDIRECT": "true", "SECURE_HSTS_SECONDS": "31536000", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
           "SECURE_HSTS_PRELOAD": "true", "SECURE_COOKIES": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"}
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
