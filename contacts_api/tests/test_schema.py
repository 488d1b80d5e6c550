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
