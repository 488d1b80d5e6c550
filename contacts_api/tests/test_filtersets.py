"""APIFilterSet's form and the integer parameters of every list."""

import pytest
from django.http import QueryDict

from contacts.filters import ContactFilterSet
from contacts.models import Contact


def form_errors(query: str) -> dict:
    form = ContactFilterSet(QueryDict(query), queryset=Contact.objects.all()).form
    form.is_valid()
    return form.errors


def test_a_filter_sent_without_a_value_is_refused():
    assert form_errors("status=") == {"status": ["This field may not be blank."]}


def test_an_empty_search_is_allowed():
    assert form_errors("search=") == {}


@pytest.mark.parametrize("value", ["１２", "١٢", "12.0", "1e3", "0x1f"])
def test_an_id_written_other_than_in_ascii_digits_is_refused(value):
    assert form_errors(f"client_id={value}") == {"client_id": ["A valid integer is required."]}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["２", "2.0"])
def test_a_page_written_other_than_in_ascii_digits_is_a_422(api, value):
    response = api.get("/api/v1/contacts", {"page": value})
    assert response.status_code == 422
    assert response.json()["errors"] == {"page": ["A valid integer is required."]}
