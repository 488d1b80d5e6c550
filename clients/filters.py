import django_filters

from contacts_api.api.filters import APIFilterSet

from .models import Client


class ClientFilterSet(APIFilterSet):
    search = django_filters.CharFilter(
        field_name="company_name", lookup_expr="icontains", max_length=100,
        help_text="Substring of the company name, any case.",
    )

    class Meta(APIFilterSet.Meta):
        model = Client
        fields = ["search"]
