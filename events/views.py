from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.viewsets import GenericViewSet

from contacts_api.api.exceptions import CursorExpiredError
from contacts_api.api.views import APIViewSetMixin

from .feed import CursorExpired, encode_cursor, read_feed
from .models import EVENT_ID_PREFIX, Event
from .representation import event_json
from .serializers import FEED_META_SCHEMA, EventSerializer, FeedQueryForm

EVENT_NOT_FOUND = "Event not found."


@extend_schema_view(
    list=extend_schema(
        summary="Follow the event feed",
        parameters=[
            OpenApiParameter("after", str, description="A cursor from meta.cursor; none starts at the oldest kept event."),
            OpenApiParameter("limit", int, description="1 to 1000, default 100."),
            OpenApiParameter("type", str, description="Comma-separated event types."),
            OpenApiParameter("contact_id", int),
            OpenApiParameter("client_id", int),
        ],
    ),
    retrieve=extend_schema(summary="Get an event"),
)
class EventViewSet(APIViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, GenericViewSet):
    """Every change of a contact, in an order that never skips one (API.md 7.2)."""

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filter_backends = []
    client_lookup = "client_id"
    schema_names = ("Event", "Events")
    pagination_class = None
    lookup_value_regex = "[^/]+"
    not_found_message = EVENT_NOT_FOUND
    success_messages = {"list": "Events retrieved successfully.", "retrieve": "Event retrieved successfully."}
    extra_error_statuses = {"list": [410, 422]}
    meta_schemas = {"list": FEED_META_SCHEMA}

    def list(self, request, *args, **kwargs):
        form = FeedQueryForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors)
        query = form.cleaned_data
        try:
            events, position, has_more = read_feed(
                after=query["after"], limit=query["limit"], types=query["type"],
                contact_id=query["contact_id"], client_id=query["client_id"], as_json_text=True,
                events=self.scoped(Event.objects.all()),
            )
        except CursorExpired as error:
            raise CursorExpiredError() from error
        cursor = encode_cursor(position)
        response = Response([event_json(row) for row in events])
        response.meta = {
            "cursor": cursor,
            "has_more": has_more,
            "links": {"next": replace_query_param(request.build_absolute_uri(), "after", cursor)},
        }
        return response

    def get_object(self):
        text = self.kwargs["pk"]
        digits = text.removeprefix(EVENT_ID_PREFIX)
        if not text.startswith(EVENT_ID_PREFIX) or not digits.isascii() or not digits.isdigit() or len(digits) > 18:
            raise NotFound(EVENT_NOT_FOUND)
        self.kwargs["pk"] = int(digits)
        return super().get_object()
