from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from contacts_api.api.views import APIModelViewSet

from .filters import ContactFilterSet
from .models import Contact
from .serializers import LIST_VALUES, ContactCreateSerializer, ContactSerializer, ContactUpdateSerializer
from .services import (
    CONTACT_NOT_FOUND,
    contact_create,
    contact_set_account_owner,
    contact_soft_delete,
    contact_update,
)


@extend_schema_view(
    list=extend_schema(summary="List or search contacts"),
    retrieve=extend_schema(summary="Get a contact"),
    create=extend_schema(summary="Create a contact"),
    update=extend_schema(summary="Replace a contact's editable fields"),
    partial_update=extend_schema(summary="Update some of a contact's fields"),
    destroy=extend_schema(
        summary="Soft-delete a contact",
        responses={200: OpenApiResponse(description="Deleted; `data` is null.")},
    ),
)
class ContactViewSet(APIModelViewSet):
    """Contacts: the people who work at a client company."""

    serializer_class = ContactSerializer
    input_serializer_classes = {
        "create": ContactCreateSerializer,
        "update": ContactUpdateSerializer,
        "partial_update": ContactUpdateSerializer,
    }
    filterset_class = ContactFilterSet
    not_found_message = CONTACT_NOT_FOUND
    success_messages = {
        "list": "Contacts retrieved successfully.",
        "retrieve": "Contact retrieved successfully.",
        "create": "Contact created successfully.",
        "update": "Contact updated successfully.",
        "partial_update": "Contact updated successfully.",
        "destroy": "Contact deleted successfully.",
        "set_account_owner": "Contact set as account owner successfully.",
    }
    extra_error_statuses = {"set_account_owner": [409]}

    def get_queryset(self):
        if self.action == "list":
            # Rows as values, not model instances; the FilterSet hides deleted rows.
            return Contact.objects.values(*LIST_VALUES)
        if self.action == "set_account_owner":
            # Any living user: a staff user's id is a 409, not a 404 (API.md 3.7).
            return User.objects.filter(deleted_at__isnull=True)
        return Contact.objects.alive().with_related()

    def create(self, request, *args, **kwargs):
        contact = contact_create(**self.validated_data(request))
        location = request.build_absolute_uri(reverse("contact-detail", args=[contact.pk]))
        return self.object_response(contact, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, **kwargs):
        data = self.validated_data(request, partial=kwargs.get("partial", False))
        return self.object_response(contact_update(contact=self.get_object(), data=data))

    def destroy(self, request, *args, **kwargs):
        contact_soft_delete(contact=self.get_object())
        return Response(None)

    @extend_schema(summary="Set as the client's account owner")
    @action(detail=True, methods=["post"], url_path="set-account-owner")
    def set_account_owner(self, request, *args, **kwargs):
        return self.object_response(contact_set_account_owner(user=self.get_object()))
