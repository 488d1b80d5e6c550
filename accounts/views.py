from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.viewsets import GenericViewSet

from contacts_api.api.views import APIViewSetMixin

from .models import Role
from .serializers import RoleSerializer


@extend_schema_view(list=extend_schema(summary="List roles"))
class RoleViewSet(APIViewSetMixin, mixins.ListModelMixin, GenericViewSet):
    queryset = Role.objects.order_by("id")
    serializer_class = RoleSerializer
    filter_backends = []
    client_lookup = None  # roles are shared by every client
    schema_names = ("Role", "Roles")
    success_messages = {"list": "Roles retrieved successfully."}
