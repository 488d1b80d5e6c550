"""Idempotency-Key on POST and PATCH (API.md 6.2)."""

from datetime import timedelta

import psycopg
import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.test import override_settings

from accounts.models import APIKey
from contacts import services
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import api_client_for, envelope_error, requires_postgres, run_concurrently
from idempotency.models import IdempotencyRecord
from idempotency.services import lock_id

URL = "/api/v1/contacts"


@pytest.fixture
def body(company):
    return {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "clientid": company.pk}


def post(api, body, key="key-1", **headers):
    return api.post(URL, body, format="json", headers={"Idempotency-Key": key, **headers})


@pytest.mark.django_db
def test_the_same_request_again_replays_the_answer_byte_for_byte(api, body):
    first = post(api, body)
    again = post(api, body)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_a_replay_sends_no_second_welcome_email(api, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(api, {**body, "send_email": "yes"})
        post(api, {**body, "send_email": "yes"})
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_a_422_idempotency_key_reused(api, body):
    post(api, body)
    response = post(api, {**body, "email": "other@example.com"})
    assert envelope_error(response) == (422, "idempotency_key_reused")
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_on_another_path_is_reused(api, body):
    post(api, body)
    contact = Contact.objects.get()
    response = api.patch(f"{URL}/{contact.pk}", {"first_name": "X"}, format="json", headers={"Idempotency-Key": "key-1"})
    assert envelope_error(response) == (422, "idempotency_key_reused")


@pytest.mark.django_db
def test_keys_are_per_api_key(api, make_api_key, body):
    post(api, body)
    _, other = make_api_key()
    response = post(api_client_for(other), body)
    assert envelope_error(response) == (422, "validation_failed")  # it ran: the email is taken
    assert "email" in response.json()["errors"]


@pytest.mark.django_db
def test_a_validation_error_is_stored_and_replayed(api, body):
    first = post(api, {**body, "email": "nope"})
    assert first.status_code == 422
    again = post(api, {**body, "email": "nope"})
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (422, first.content, "true")


@pytest.mark.django_db
def test_a_patch_is_replayed_and_runs_once(api):
    contact = ContactFactory()
    url = f"{URL}/{contact.pk}"
    for _ in range(2):
        response = api.patch(url, {"first_name": "Augusta"}, format="json", headers={"Idempotency-Key": "p"})
    assert response["Idempotent-Replayed"] == "true"
    contact.refresh_from_db()
    assert contact.version == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_malformed_key_is_a_422_on_the_header_and_writes_nothing(api, body, key):
    response = api.post(URL, body, format="json", headers={"Idempotency-Key": key})
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == ["Idempotency-Key"]
    assert not Contact.objects.exists()


@pytest.mark.django_db
def test_a_401_is_not_stored(body):
    anonymous = api_client_for("ck_wrong")
    assert post(anonymous, body).status_code == 401
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_403_is_not_stored_and_the_key_stays_free(read_api, api, body):
    assert post(read_api, body).status_code == 403
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_a_5xx_is_not_stored_and_a_retry_runs_again(api, body, monkeypatch):
    def unavailable(**kwargs):
        raise OperationalError("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr("contacts.views.contact_create", unavailable)
        assert post(api, body).status_code == 503
    assert not IdempotencyRecord.objects.exists()
    assert post(api, body).status_code == 201


@pytest.mark.django_db
@override_settings(API_IDEMPOTENCY_TTL_HOURS=24)
def test_a_key_older_than_the_retention_runs_again(api, body):
    post(api, body)
    IdempotencyRecord.objects.update(created_at=IdempotencyRecord.objects.get().created_at - timedelta(hours=25))
    response = post(api, {**body, "email": "second@example.com"})
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


@pytest.mark.django_db
def test_the_record_is_written_with_the_write(api, body):
    post(api, body)
    record = IdempotencyRecord.objects.get()
    assert (record.key, record.status, record.api_key_id) == ("key-1", 201, APIKey.objects.get().pk)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_key_in_flight_is_a_409_with_retry_after(api, body):
    settings = connection.settings_dict
    key_id = APIKey.objects.get().pk
    with psycopg.connect(
        host=settings["HOST"], port=settings["PORT"] or 5432, user=settings["USER"], dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [lock_id(key_id, "key-1")])
        response = post(api, body)
    assert envelope_error(response) == (409, "idempotency_in_progress")
    assert response["Retry-After"] == "1"
    assert not Contact.objects.exists()
    assert post(api, body).status_code == 201  # the 409 was not stored


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_run_once(write_key, body, monkeypatch):
    real_create = services.contact_create

    def slow_create(**kwargs):
        connection.cursor().execute("SELECT pg_sleep(0.3)")
        return real_create(**kwargs)

    monkeypatch.setattr("contacts.views.contact_create", slow_create)
    answers = run_concurrently(6, lambda _: post(api_client_for(write_key), body))
    statuses = sorted(a.status_code for a in answers)
    ran = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a]
    assert len(ran) == 1
    assert set(statuses) <= {201, 409}
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_purge_deletes_only_the_expired_records(api, body):
    from contacts_api.testing import run_command

    post(api, body)
    post(api, {**body, "email": "b@example.com"}, key="key-2")
    old = IdempotencyRecord.objects.get(key="key-1")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(hours=25))
    code, out, _ = run_command("purge")
    assert (code, out.splitlines()[-1]) == (0, "idempotency records deleted: 1")
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["key-2"]
