"""B: the contacts list a Django developer writes first, for the benchmark only.

A ModelViewSet with a ModelSerializer, DRF's PageNumberPagination and SearchFilter, over
the project's own tables and indexes. It is served by bench/baseline_settings.py and is
never part of the product's URLs.
"""

from django.urls import include, path
from rest_framework import filters, pagination, permissions, renderers, routers, serializers, viewsets

from accounts.models import Role
from clients.models import Client
from contacts.models import Contact


class ClientSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = ["id", "company_name"]


class RoleSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "name"]


class BaselineContactSerializer(serializers.ModelSerializer):
    client = ClientSummarySerializer()
    role = RoleSummarySerializer()

    class Meta:
        model = Contact
        fields = [
            "id", "first_name", "last_name", "email", "phone", "job_position", "is_account_owner",
            "status", "client", "role", "linkedin", "twitter", "facebook", "instagram", "skype",
            "created_at", "updated_at",
        ]


class LimitPagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "limit"
    max_page_size = 100


class BaselineContactViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Contact.objects.filter(deleted_at__isnull=True).select_related("client", "role").order_by("id")
    serializer_class = BaselineContactSerializer
    pagination_class = LimitPagination
    filter_backends = [filters.SearchFilter]
    search_fields = ["first_name", "last_name", "email", "phone"]
    renderer_classes = [renderers.JSONRenderer]
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


router = routers.SimpleRouter()
router.register("contacts", BaselineContactViewSet, basename="baseline-contact")
urlpatterns = [path("baseline/", include(router.urls))]
