"""The feed never skips a change, however transactions interleave (API.md 7.2)."""

import threading

import pytest
from django.db import connection, transaction

from contacts.tests.factories import ContactFactory
from contacts_api.testing import api_client_for, requires_postgres, run_concurrently
from events.feed import read_feed
from events.models import Event

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def event(contact_id: int) -> Event:
    return Event.objects.create(type="contact.updated", contact_id=contact_id, actor={}, changes={}, data={})


def drain(position):
    seen = []
    while True:
        page, position, more = read_feed(after=position, limit=50)
        seen += page
        if not more:
            return seen, position


def test_a_transaction_that_wrote_first_and_commits_last_is_not_skipped():
    started, release = threading.Event(), threading.Event()

    def slow_writer():
        try:
            with transaction.atomic():
                event(1)  # takes the lower transaction id...
                started.set()
                release.wait(10)  # ...and commits after the other one
        finally:
            connection.close()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    started.wait(10)
    event(2)
    served, cursor = drain(None)
    assert served == []  # the committed event waits behind the open transaction
    release.set()
    writer.join(10)
    served, _ = drain(cursor)
    assert [e.contact_id for e in served] == [1, 2]


def test_a_consumer_tailing_concurrent_writers_sees_every_change_once_in_version_order(write_key):
    contacts = [ContactFactory() for _ in range(4)]
    done = threading.Event()
    seen: list[Event] = []

    def consume():
        position = None
        try:
            while not done.is_set():
                page, position, _ = read_feed(after=position, limit=20)
                seen.extend(page)
            page, position = drain(position)
            seen.extend(page)
        finally:
            connection.close()

    consumer = threading.Thread(target=consume)
    consumer.start()

    def write(index):
        api = api_client_for(write_key)
        for step in range(15):
            contact = contacts[(index + step) % len(contacts)]
            api.patch(f"/api/v1/contacts/{contact.pk}", {"last_name": f"W{index}-{step}"}, format="json")

    run_concurrently(6, write)
    done.set()
    consumer.join(30)
    ids = [e.pk for e in seen]
    assert len(ids) == len(set(ids)) == Event.objects.count() == 90
    for contact in contacts:
        versions = [e.data["version"] for e in seen if e.contact_id == contact.pk]
        assert versions == sorted(versions)
