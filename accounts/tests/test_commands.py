"""create_api_key and revoke_api_key."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.keys import key_prefix
from accounts.models import APIKey
from accounts.services import api_key_verify
from accounts.tests.factories import StaffUserFactory
from clients.tests.factories import ClientFactory
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def create(*args):
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_api_key_prints_the_key_alone_on_the_last_line():
    out, _ = create("--name", "sync job")
    raw = out.strip().splitlines()[-1]
    key = api_key_verify(raw)
    assert (key.name, key.scope, key.expires_at) == ("sync job", "write", None)
    assert key.user.is_staff


def test_create_api_key_takes_scope_expiry_and_user():
    staff = StaffUserFactory(email="ops@example.com")
    out, _ = create("--name", "ro", "--scope", "read", "--expires-in-days", "7", "--user", "OPS@example.com")
    key = APIKey.objects.get(prefix=key_prefix(out.strip().splitlines()[-1]))
    assert (key.scope, key.user) == ("read", staff)
    assert key.expires_at is not None


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "x", "--user", "nobody@example.com"],
        ["--name", "x", "--expires-in-days", "0"],
    ],
)
def test_create_api_key_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        create(*args)


def test_create_api_key_refuses_a_contact_as_owner():
    ContactFactory(email="contact@example.com")
    with pytest.raises(CommandError):
        create("--name", "x", "--user", "contact@example.com")


def test_revoke_api_key_revokes_by_prefix():
    out, _ = create("--name", "old")
    prefix = key_prefix(out.strip().splitlines()[-1])
    call_command("revoke_api_key", prefix, stdout=StringIO())
    assert APIKey.objects.get(prefix=prefix).revoked_at is not None


def test_revoke_api_key_of_an_unknown_prefix_fails():
    with pytest.raises(CommandError):
        call_command("revoke_api_key", "nosuchpf", stdout=StringIO())


def test_create_api_key_binds_a_key_to_a_client():
    client = ClientFactory()
    out, err = create("--name", "their sync", "--client", str(client.pk))
    assert api_key_verify(out.strip().splitlines()[-1]).client_id == client.pk
    assert f"bound to client {client.pk}" in err


def test_create_api_key_refuses_an_unknown_client():
    with pytest.raises(CommandError, match="No client with id 999"):
        create("--name", "x", "--client", "999")
    assert not APIKey.objects.exists()
