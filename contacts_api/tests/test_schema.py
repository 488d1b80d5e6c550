"""The OpenAPI schema describes what the API really answers (API.md 5)."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from contacts.tests.factories import ContactFactory
from contacts_api.wsgi import application


def test_the_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))


schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@pytest.fixture
def fuzz_data(db, settings):
    """A few rows for the generated ids to find, and room for hundreds of requests."""
    settings.API_RATE_LIMIT = "100000/min"
    owner = ContactFactory(is_account_owner=True)
    for _ in range(3):
        ContactFactory(client=owner.client)
    # Requests go straight to the WSGI app, not through Django's test client: keep the
    # end of a request from closing the connection that holds the test's transaction
    # (the test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
@pytest.mark.django_db
def test_every_operation_answers_as_the_schema_says(case, fuzz_data, write_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {write_key}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


@pytest.fixture(scope="module")
def document():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def header_names(operation) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


def test_the_safe_write_headers_and_statuses_are_declared(document):
    detail = document["paths"]["/api/v1/contacts/{id}"]
    assert header_names(detail["get"]) == {"If-None-Match"}
    assert {"304", "200"} <= set(detail["get"]["responses"])
    assert "ETag" in detail["get"]["responses"]["200"]["headers"]
    for method in ("put", "patch", "delete"):
        assert "If-Match" in header_names(detail[method])
        assert {"400", "412"} <= set(detail[method]["responses"])
    assert "Idempotency-Key" in header_names(detail["patch"])
    create = document["paths"]["/api/v1/contacts"]["post"]
    assert "Idempotency-Key" in header_names(create)
    assert {"Location", "Idempotent-Replayed"} <= set(create["responses"]["201"]["headers"])
    assert "Retry-After" in create["responses"]["409"]["headers"]
    for action in ("restore", "set-account-owner"):
        assert {"If-Match", "Idempotency-Key"} <= header_names(document["paths"][f"/api/v1/contacts/{{id}}/{action}"]["post"])


def test_the_batch_is_declared_with_its_items_and_summary(document):
    batch = document["paths"]["/api/v1/contacts/batch"]["post"]
    answer = batch["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["properties"]["data"]["type"] == "array"
    assert answer["properties"]["meta"]["properties"]["summary"]["required"] == ["created", "updated", "unchanged", "failed"]
    request = document["components"]["schemas"]["ContactBatchRequest"]["properties"]["contacts"]
    assert (request["minItems"], request["maxItems"]) == (1, 100)
