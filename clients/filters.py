import django_filters

from .models import Client


class ClientFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(
        field_name="company_name", lookup_expr="icontains", max_length=100,
        help_text="Substring of the company name, any case.",
    )

    class Meta:
        model = Client
        fields = ["search"]
