"""What the database gives back: timestamps in UTC, as they were saved."""

import datetime

import pytest

from contacts.models import Contact
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_saved_timestamp_reads_back_unchanged():
    contact = ContactFactory()
    stored = Contact.objects.values_list("created_at", flat=True).get(pk=contact.pk)
    assert stored == contact.created_at
    assert stored.utcoffset() == datetime.timedelta(0)
