"""Clients generated from the served schema, as a consumer makes them, driving the API.

From `/api/schema/?format=json` of a running `make run` layout (a fresh one per client:
the walks end by tripping the failed-authentication limit):
- openapi-python-client (pinned in requirements-dev.txt) generates a Python client; the
  walk below calls every operation through it and reads every answer as its types;
- openapi-typescript and openapi-fetch (pinned in typescript/package.json) give typed
  calls; `tsc` must accept typescript/walk.ts as it is, and the compiled walk then runs.
Generator warnings fail the test.
"""

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contacts_api.testing import manage

PYTHON = sys.executable
GENERATOR = Path(PYTHON).parent / "openapi-python-client"

TYPESCRIPT = Path(__file__).resolve().parent / "typescript"
NPM = shutil.which("npm")




@pytest.fixture
def py(served):
    """The generated package, imported."""
    if not GENERATOR.exists():
        pytest.skip("openapi-python-client is not installed (pip install -r requirements-dev.txt)")
    home = served["home"]
    env = {**os.environ, "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(GENERATOR), "generate", "--path", str(home / "schema.json"), "--meta", "none",
                             "--output-path", str(home / "contacts_client")],
                            cwd=home, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(home))
    try:
        yield importlib.import_module("contacts_client")
    finally:
        sys.path.remove(str(home))
        for name in [name for name in sys.modules if name.startswith("contacts_client")]:
            del sys.modules[name]


class _api:  # noqa: N801  (reads like the package it stands for)
    """contacts_client.api.<tag>, whose operation modules load when named."""

    def __init__(self, py, tag: str):
        self.package = f"{py.__name__}.api.{tag}"

    def __getattr__(self, operation):
        return importlib.import_module(f"{self.package}.{operation}")


def test_the_generated_python_client_walks_every_operation(served, py):
    from contacts_client import AuthenticatedClient, Client
    from contacts_client.models import (
        ContactBatchItemRequest,
        ContactBatchRequest,
        ContactCreateRequest,
        ContactUpdateRequest,
        Error,
        PatchedContactUpdateRequest,
        PatchedWebhookEndpointWriteRequest,
        WebhookEndpointWriteRequest,
    )

    client = AuthenticatedClient(base_url=served["base"], token=served["key"])
    contacts, clients, roles = _api(py, "contacts"), _api(py, "clients"), _api(py, "roles")
    events, webhooks = _api(py, "events"), _api(py, "webhooks")

    # Lists with every filter, a page, and a keyset walk.
    from contacts_client.models import (
        ListContactsAccountOwner,
        ListContactsOrder,
        ListContactsSort,
        ListContactsStatus,
    )

    listed = contacts.list_contacts.sync_detailed(
        client=client, status=ListContactsStatus("active"), account_owner=ListContactsAccountOwner("no"), search="a",
        sort=ListContactsSort("last_name"), order=ListContactsOrder("desc"), page=1, limit=5,
    )
    assert listed.status_code == 200 and len(listed.parsed.data) <= 5
    assert listed.parsed.meta.pagination.per_page == 5
    by_client = contacts.list_contacts.sync(client=client, client_id=1, limit=100)
    assert {row.client.id for row in by_client.data} == {1}
    seen, after = [], 0
    while True:
        page = contacts.list_contacts.sync(client=client, after=after, limit=7)
        seen += [row.id for row in page.data]
        if page.meta.pagination.links.next_ is None:
            break
        after = seen[-1]
    assert seen == sorted(seen) and len(seen) == page.meta.pagination.total

    # Create (JSON), get with its ETag, PUT, PATCH with social and with a clear.
    created = contacts.create_contact.sync_detailed(client=client, body=ContactCreateRequest.from_dict({
        "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "clientid": 1,
        "phone": "+1 555 0100", "social": {"twitter": "grace"},
    }))
    assert created.status_code == 201 and created.headers["Location"].endswith(f"/contacts/{created.parsed.data.id}")
    pk = created.parsed.data.id
    got = contacts.get_contact.sync_detailed(pk, client=client)
    assert got.parsed.data.email == "grace@example.com" and got.headers["ETag"] == '"1"'
    replaced = contacts.replace_contact.sync(pk, client=client, body=ContactUpdateRequest.from_dict(
        {"first_name": "Grace", "last_name": "Murray Hopper", "email": "grace@example.com"}))
    assert replaced.data.last_name == "Murray Hopper"
    patched = contacts.update_contact.sync(pk, client=client, body=PatchedContactUpdateRequest.from_dict(
        {"social": {"linkedin": "gracehopper"}}))
    assert (patched.data.social.linkedin, patched.data.social.twitter) == ("gracehopper", "grace")
    cleared = contacts.update_contact.sync(pk, client=client, body=PatchedContactUpdateRequest.from_dict({"phone": ""}))
    assert cleared.data.phone is None
    stale = contacts.update_contact.sync_detailed(pk, client=client, if_match='"1"',
                                                 body=PatchedContactUpdateRequest.from_dict({"position": "Admiral"}))
    assert stale.status_code == 412 and isinstance(stale.parsed, Error) and stale.parsed.code == "precondition_failed"

    # Set as account owner, history, soft delete, restore, batch, erase.
    owner = contacts.set_account_owner.sync(pk, client=client)
    assert owner.data.account_owner == "yes"
    history = contacts.get_contact_history.sync(pk, client=client)
    assert [event.type_ for event in history.data][0] == "contact.created"
    assert contacts.delete_contact.sync_detailed(pk, client=client).status_code == 200
    assert contacts.restore_contact.sync(pk, client=client).data.status == "active"
    batch = contacts.batch_upsert_contacts.sync(client=client, body=ContactBatchRequest.from_dict({"contacts": [
        {"email": "grace@example.com", "clientid": 1, "position": "Rear Admiral"},
        {"email": "ada.new@example.com", "clientid": 1, "first_name": "Ada", "last_name": "New"},
        {"email": "not an email", "clientid": 1},
    ]}))
    assert [item.result for item in batch.data] == ["updated", "created", "error"]
    assert batch.meta.summary.failed == 1
    assert isinstance(ContactBatchItemRequest.from_dict({"email": "x@example.com", "clientid": 1}), ContactBatchItemRequest)
    assert contacts.erase_contact.sync_detailed(batch.data[1].id, client=client).status_code == 200

    # Clients, roles, the feed and one event.
    assert clients.list_clients.sync(client=client, search="Ltd").meta.pagination.total >= 1
    assert clients.get_client.sync(1, client=client).data.id == 1
    assert [role.name for role in roles.list_roles.sync(client=client).data]
    feed = events.list_events.sync(client=client, limit=1000)
    assert feed.meta.has_more in (True, False) and feed.data
    assert events.get_event.sync(feed.data[0].id, client=client).data.id == feed.data[0].id

    # Webhooks.
    endpoint = webhooks.create_webhook.sync(client=client, body=WebhookEndpointWriteRequest.from_dict(
        {"url": "http://127.0.0.1:9/hook", "event_types": ["contact.updated"]}))
    assert endpoint.data.secret.startswith("whsec_")
    hook = endpoint.data.id
    assert [row.id for row in webhooks.list_webhooks.sync(client=client).data] == [hook]
    assert webhooks.get_webhook.sync(hook, client=client).data.url == "http://127.0.0.1:9/hook"
    assert webhooks.update_webhook.sync(hook, client=client, body=PatchedWebhookEndpointWriteRequest.from_dict(
        {"description": "generated"})).data.description == "generated"
    assert webhooks.list_webhook_deliveries.sync(hook, client=client).data == []
    assert webhooks.send_webhook_test.sync_detailed(hook, client=client).status_code == 202
    assert webhooks.delete_webhook.sync_detailed(hook, client=client).status_code == 200

    # The error types, parsed into the documented Error.
    errors = {
        404: contacts.get_contact.sync_detailed(999_999, client=client),
        422: contacts.create_contact.sync_detailed(client=client, body=ContactCreateRequest.from_dict(
            {"first_name": "X", "last_name": "Y", "email": "nope", "clientid": 1})),
        401: contacts.list_contacts.sync_detailed(client=Client(base_url=served["base"])),
    }
    assert isinstance(errors[422].parsed, Error) and "email" in errors[422].parsed.errors.additional_properties
    for status, response in errors.items():
        assert (response.status_code, type(response.parsed)) == (status, Error), status
    staff_id = _staff_id(served)
    conflict = contacts.set_account_owner.sync_detailed(staff_id, client=client)
    assert (conflict.status_code, conflict.parsed.code) == (409, "conflict")

    # Last: failed authentications until the address is limited (API_AUTH_FAILURE_LIMIT=5/min).
    # The server's windows are whole minutes of its clock: five failures are always
    # answered 401, and a run that crosses a minute's end is limited by the eleventh.
    wrong = AuthenticatedClient(base_url=served["base"], token="ck_AAAAAAAA_" + "x" * 38)
    answers = []
    while len(answers) < 11 and (not answers or answers[-1].status_code == 401):
        answers.append(contacts.list_contacts.sync_detailed(client=wrong))
    assert [answer.status_code for answer in answers[:5]] == [401] * 5
    limited = answers[-1]
    assert (limited.status_code, limited.parsed.code) == (429, "throttled")
    assert limited.headers["Retry-After"].isdigit()


def _staff_id(served) -> int:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{served['home'] / 'db.sqlite3'}"}
    out = manage(env, "shell", "-c", "from accounts.models import User; print(User.objects.filter(user_type='staff').first().pk)")
    return int(out.strip().splitlines()[-1])


def test_the_schema_documents_json_bodies_only_and_integer_ids(served):
    for path, operations in served["schema"]["paths"].items():
        for method, operation in operations.items():
            assert list(operation.get("requestBody", {}).get("content", {"application/json": 0})) == ["application/json"]
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "id" and "events" not in path:
                    assert parameter["schema"]["type"] == "integer", (method, path)



def _npm_packages() -> None:
    """The pinned packages (.ci/run installs them first; a fresh checkout gets them here)."""
    if NPM is None:
        pytest.skip("npm is not installed: the TypeScript client is not checked")
    if not (TYPESCRIPT / "node_modules" / ".bin" / "tsc").exists():
        result = subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=TYPESCRIPT, capture_output=True, text=True,
                                timeout=300)
        if result.returncode != 0:
            pytest.skip(f"npm could not install the TypeScript packages: {result.stderr[-300:]}")


def test_the_generated_typescript_client_type_checks_and_walks_every_operation(served):
    _npm_packages()
    bin_dir = TYPESCRIPT / "node_modules" / ".bin"
    generated = subprocess.run([str(bin_dir / "openapi-typescript"), str(served["home"] / "schema.json"), "-o",
                                "generated/schema.d.ts"], cwd=TYPESCRIPT, capture_output=True, text=True, timeout=120)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "warn" not in (generated.stdout + generated.stderr).lower(), generated.stdout + generated.stderr
    compiled = subprocess.run([str(bin_dir / "tsc"), "-p", "."], cwd=TYPESCRIPT, capture_output=True, text=True,
                              timeout=180)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr  # no type error
    walked = subprocess.run([shutil.which("node") or "node", "build/walk.js", served["base"], served["key"],
                             str(_staff_id(served))], cwd=TYPESCRIPT, capture_output=True, text=True, timeout=120)
    assert walked.returncode == 0, walked.stdout + walked.stderr
    assert "every operation answered as typed" in walked.stdout
