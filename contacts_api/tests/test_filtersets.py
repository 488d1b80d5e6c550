"""APIFilterSet: the form class is made once per FilterSet class."""

import django_filters
import pytest
from django.http import QueryDict

from clients.filters import ClientFilterSet
from contacts.filters import ContactFilterSet
from contacts.models import Contact


def test_every_request_gets_its_own_form_of_one_form_class():
    contacts = Contact.objects.all()
    first = ContactFilterSet(QueryDict("status=active"), queryset=contacts).form
    second = ContactFilterSet(QueryDict("search=ada"), queryset=contacts).form
    assert type(first) is type(second)
    assert first is not second
    assert first.is_valid() and second.is_valid()
    assert (first.cleaned_data["status"], second.cleaned_data["search"]) == ("active", "ada")


@pytest.mark.django_db
def test_a_subclass_gets_a_form_class_of_its_own():
    class WithSince(ClientFilterSet):
        since = django_filters.DateFilter(field_name="created_at", lookup_expr="gte")

    assert "since" not in ClientFilterSet(QueryDict()).form.fields
    assert "since" in WithSince(QueryDict()).form.fields
    assert "since" not in ClientFilterSet(QueryDict()).form.fields
