from contacts_api.api.filters import APIFilterSet, SearchFilter

from .models import Client


class ClientFilterSet(APIFilterSet):
    search = SearchFilter(
        field_name="company_name", lookup_expr="icontains", help_text="Substring of the company name, any case."
    )

    class Meta(APIFilterSet.Meta):
        model = Client
        fields = ["search"]
