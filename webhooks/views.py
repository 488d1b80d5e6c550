from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from contacts_api.api.views import APIModelViewSet

from .models import WebhookEndpoint
from .serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWriteSerializer,
)
from .services import endpoint_create, endpoint_request_test, endpoint_update


@extend_schema_view(
    list=extend_schema(summary="List webhook endpoints"),
    retrieve=extend_schema(summary="Get a webhook endpoint"),
    create=extend_schema(summary="Add a webhook endpoint", responses={201: WebhookEndpointCreatedSerializer}),
    partial_update=extend_schema(summary="Change a webhook endpoint (enabled: true resumes delivery)"),
    destroy=extend_schema(
        summary="Remove a webhook endpoint", responses={200: OpenApiResponse(description="Removed; `data` is null.")}
    ),
)
class WebhookEndpointViewSet(APIModelViewSet):
    """Endpoints that receive every event, signed (API.md 7.4)."""

    queryset = WebhookEndpoint.objects.all()
    serializer_class = WebhookEndpointSerializer
    input_serializer_classes = {"create": WebhookEndpointWriteSerializer, "partial_update": WebhookEndpointWriteSerializer}
    filter_backends = []
    client_lookup = "client_id"
    schema_names = ("Webhook", "Webhooks")
    operation_ids = {"deliveries": "listWebhookDeliveries", "test": "sendWebhookTest"}
    http_method_names = ["get", "post", "patch", "delete", "head"]
    not_found_message = "Webhook endpoint not found."
    success_messages = {
        "list": "Webhook endpoints retrieved successfully.",
        "retrieve": "Webhook endpoint retrieved successfully.",
        "create": "Webhook endpoint created successfully.",
        "partial_update": "Webhook endpoint updated successfully.",
        "destroy": "Webhook endpoint deleted successfully.",
        "deliveries": "Deliveries retrieved successfully.",
        "test": "Test event queued.",
    }

    def create(self, request, *args, **kwargs):
        endpoint = endpoint_create(
            **self.validated_data(request), client_id=self.bound_client_id(), created_by_key=request.auth
        )
        return Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        data = self.validated_data(request, partial=True)
        return self.object_response(endpoint_update(endpoint=self.get_object(), data=data))

    def destroy(self, request, *args, **kwargs):
        self.get_object().delete()
        return Response(None)

    @extend_schema(summary="The last delivery attempts, newest first", responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_object().deliveries.order_by("-id"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(summary="Send a webhook.test event to this endpoint", request=None,
                   responses={202: OpenApiResponse(description="Queued for the worker; `data` is null.")})
    @action(detail=True, methods=["post"])
    def test(self, request, *args, **kwargs):
        endpoint_request_test(endpoint=self.get_object())
        return Response(None, status=status.HTTP_202_ACCEPTED)
