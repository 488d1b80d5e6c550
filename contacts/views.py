from django.http import HttpResponseNotModified
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from contacts_api.api.views import APIModelViewSet
from contacts_api.versions import etag
from events.models import Event
from events.representation import event_representation
from events.serializers import EventSerializer

from .batch import run_batch
from .filters import ContactFilterSet
from .models import Contact
from .representation import LIST_VALUES
from .serializers import (
    BATCH_SUMMARY_SCHEMA,
    BatchResultSerializer,
    ContactBatchSerializer,
    ContactCreateSerializer,
    ContactSerializer,
    ContactUpdateSerializer,
)
from .services import (
    CONTACT_NOT_FOUND,
    contact_create,
    contact_erase,
    contact_restore,
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
    # Actions on one contact that take If-Match (If-None-Match on GET), and whether their
    # answer carries the ETag (API.md 6.1): the schema reads this.
    versioned_actions = {
        "retrieve": True, "update": True, "partial_update": True, "destroy": True,
        "set_account_owner": True, "restore": True, "erase": False,
    }
    input_serializer_classes = {
        "create": ContactCreateSerializer,
        "update": ContactUpdateSerializer,
        "partial_update": ContactUpdateSerializer,
        "batch": ContactBatchSerializer,
    }
    filterset_class = ContactFilterSet
    client_lookup = "client_id"
    schema_names = ("Contact", "Contacts")
    operation_ids = {
        "set_account_owner": "setAccountOwner", "restore": "restoreContact", "erase": "eraseContact",
        "history": "getContactHistory", "batch": "batchUpsertContacts",
    }
    not_found_message = CONTACT_NOT_FOUND
    success_messages = {
        "list": "Contacts retrieved successfully.",
        "retrieve": "Contact retrieved successfully.",
        "create": "Contact created successfully.",
        "update": "Contact updated successfully.",
        "partial_update": "Contact updated successfully.",
        "destroy": "Contact deleted successfully.",
        "set_account_owner": "Contact set as account owner successfully.",
        "restore": "Contact restored successfully.",
        "batch": "Batch processed successfully.",
        "history": "Contact history retrieved successfully.",
        "erase": "Contact erased successfully.",
    }
    extra_error_statuses = {"set_account_owner": [409]}
    meta_schemas = {"batch": BATCH_SUMMARY_SCHEMA}

    def get_queryset(self):
        if self.action == "list":
            # Rows as values, not model instances; the FilterSet hides deleted rows.
            return Contact.objects.values(*LIST_VALUES)
        if self.action == "set_account_owner":
            # Any living user: a staff user's id is a 409, not a 404 (API.md 3.7).
            return User.objects.filter(deleted_at__isnull=True)
        if self.action in ("restore", "history", "erase"):
            return Contact.objects.with_related()  # the deleted ones too
        return Contact.objects.alive().with_related()

    def retrieve(self, request, *args, **kwargs):
        contact = self.get_object()
        if_none_match = self.precondition("If-None-Match")
        if if_none_match is not None and if_none_match.matches(contact.version, weak=True):
            return HttpResponseNotModified(headers={"ETag": etag(contact.version)})
        return self.object_response(contact)

    def create(self, request, *args, **kwargs):
        contact = contact_create(**self.validated_data(request), actor=self.actor())
        location = request.build_absolute_uri(reverse("contact-detail", args=[contact.pk]))
        return self.object_response(contact, status=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, **kwargs):
        data = self.validated_data(request, partial=kwargs.get("partial", False))
        contact = contact_update(contact=self.get_object(), data=data, actor=self.actor(), if_match=self.precondition())
        return self.object_response(contact)

    def destroy(self, request, *args, **kwargs):
        contact = contact_soft_delete(contact=self.get_object(), actor=self.actor(), if_match=self.precondition())
        return Response(None, headers={"ETag": etag(contact.version)})

    @extend_schema(summary="Set as the client's account owner")
    @action(detail=True, methods=["post"], url_path="set-account-owner")
    def set_account_owner(self, request, *args, **kwargs):
        contact = contact_set_account_owner(user=self.get_object(), actor=self.actor(), if_match=self.precondition())
        return self.object_response(contact)

    @extend_schema(summary="Restore a soft-deleted contact")
    @action(detail=True, methods=["post"])
    def restore(self, request, *args, **kwargs):
        contact = contact_restore(contact=self.get_object(), actor=self.actor(), if_match=self.precondition())
        return self.object_response(contact)

    @extend_schema(
        summary="Erase a contact's personal data for good", request=None,
        description="Living or soft-deleted. The contact is deleted, its events keep only id, type, occurred_at, "
        "contact_id, client_id and actor, and a contact.erased event is recorded. Afterwards the id is a 404 everywhere.",
        responses={200: OpenApiResponse(description="Erased; `data` is null.")},
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, *args, **kwargs):
        contact_erase(contact=self.get_object(), actor=self.actor(), if_match=self.precondition())
        return Response(None)

    @extend_schema(summary="A contact's history, oldest change first", responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[])  # the list's filters are not history's
    def history(self, request, *args, **kwargs):
        contact = self.get_object()
        events = self.scoped(Event.objects.filter(contact_id=contact.pk))  # the client's part alone
        page = self.paginate_queryset(events.order_by("id"))
        return self.get_paginated_response([event_representation(event) for event in page])

    @extend_schema(summary="Create or update up to 100 contacts by email", responses={200: BatchResultSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def batch(self, request, *args, **kwargs):
        body = self.validated_data(request)
        results, summary = run_batch(
            body["contacts"], atomic=body.get("atomic", False), actor=self.actor(), bound_client_id=self.bound_client_id()
        )
        response = Response(results)
        response.meta = {"summary": summary}
        return response
