from drf_spectacular.utils import extend_schema, extend_schema_view

from contacts_api.api.views import APIReadOnlyViewSet

from .filters import ClientFilterSet
from .models import Client
from .serializers import ClientSerializer


@extend_schema_view(
    list=extend_schema(summary="List client accounts"),
    retrieve=extend_schema(summary="Get a client account"),
)
class ClientViewSet(APIReadOnlyViewSet):
    queryset = Client.objects.with_summary().order_by("id")
    serializer_class = ClientSerializer
    filterset_class = ClientFilterSet
    client_lookup = "pk"
    schema_names = ("Client", "Clients")
    not_found_message = "Client not found."
    success_messages = {
        "list": "Clients retrieved successfully.",
        "retrieve": "Client retrieved successfully.",
    }
