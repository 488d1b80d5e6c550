"""Base viewsets: behaviour every API resource shares, declared once."""

import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import Http404, HttpResponse
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts_api.versions import MalformedPrecondition, Precondition, etag, parse_precondition
from events.actors import Actor, api_key_actor
from idempotency import services as idempotency

from .concurrency import list_slot
from .exceptions import IdempotencyInProgress, IdempotencyKeyReused, PayloadTooLarge, body_too_large_message


def check_body_size(request) -> None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.API_MAX_BODY_SIZE:
        raise PayloadTooLarge(body_too_large_message())


IDEMPOTENT_METHODS = ("POST", "PATCH")


def _idempotent(request) -> bool:
    return request.method in IDEMPOTENT_METHODS and "HTTP_IDEMPOTENCY_KEY" in request.META


def replay_response(record) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status, content_type="application/json")
    for header, value in (("Location", record.location), ("ETag", record.etag)):
        if value:
            response[header] = value
    response["Idempotent-Replayed"] = "true"
    return response


class APIViewSetMixin:
    """Envelope messages per action, 413 before anything else, and the 404 message.

    `success_messages` maps an action to the envelope's message; `not_found_message` is
    the 404 message for an unknown id. Filters apply to the list only, so that a query
    parameter can never make a hidden row reachable through a detail URL.

    `client_lookup` is how a row of this resource names its client: every queryset of the
    viewset passes through `scoped()` (filter_queryset, which list and get_object both
    call), so that a key bound to a client sees that client alone (API.md 8.1), and rows
    of another client are 404s exactly like unknown ones. None for what belongs to no
    client (roles). Every viewset must declare it; one that does not answers nothing.
    """

    success_messages: dict[str, str] = {}
    not_found_message = "Not found."
    extra_error_statuses: dict[str, list[int]] = {}
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]
    # The body an action reads, by action; answers are always `serializer_class` (the
    # schema reads both from here: schema.EnvelopeAutoSchema).
    input_serializer_classes: dict[str, type] = {}

    def get_serializer_class(self):
        return self.input_serializer_classes.get(self.action, self.serializer_class)

    def bound_client_id(self) -> int | None:
        """The client the request's key is bound to; None for an unbound key."""
        return getattr(self.request.auth, "client_id", None)

    def scoped(self, queryset, lookup: str | None = None):
        """`queryset` as the request's key may see it: with a bound key, only the rows
        whose `lookup` (default: the viewset's `client_lookup`) is the key's client."""
        lookup = lookup or self.client_lookup
        client_id = self.bound_client_id()
        if client_id is None or lookup is None:
            return queryset
        return queryset.filter(**{lookup: client_id})

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "bound_client_id": self.bound_client_id()}

    def actor(self) -> Actor:
        """Who makes this request's changes, for the event log: its API key."""
        return api_key_actor(self.request.auth)

    def validated_data(self, request, **kwargs) -> dict:
        serializer = self.get_serializer(data=request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def object_response(self, instance, **kwargs) -> Response:
        """The answer with one object; a versioned one carries its ETag (API.md 6.1)."""
        response = Response(self.serializer_class(instance, context=self.get_serializer_context()).data, **kwargs)
        if getattr(instance, "version", None) is not None:
            response["ETag"] = etag(instance.version)
        return response

    def precondition(self, header: str = "If-Match") -> Precondition | None:
        """The request's If-Match (or If-None-Match), for the service to compare under
        the row lock; a malformed one is a 400."""
        try:
            return parse_precondition(self.request.headers.get(header))
        except MalformedPrecondition as error:
            raise ParseError(f'Malformed {header} header: expected * or entity tags such as "3".') from error

    def dispatch(self, request, *args, **kwargs):
        """A POST or PATCH with an Idempotency-Key is answered from its stored answer, or
        runs in one transaction with the key, and its answer is stored in it (API.md 6.2;
        idempotency.services). The transaction begins when the key is claimed, after
        authentication and the lookup of a stored answer (_claim_idempotency_key), and
        ends here."""
        if not _idempotent(request):
            return super().dispatch(request, *args, **kwargs)
        self.idempotency_claim = None
        self.idempotency_transaction = None
        try:
            response = super().dispatch(request, *args, **kwargs)
            claim = self.idempotency_claim
            if claim is not None:
                if response.status_code >= idempotency.MIN_UNSTORED_STATUS:
                    transaction.set_rollback(True)
                else:
                    response.render()
                    claim.store(
                        status=response.status_code, body=response.content,
                        location=response.get("Location", ""), etag=response.get("ETag", ""),
                    )
        except BaseException:
            self._end_idempotency_transaction(*sys.exc_info())
            raise
        self._end_idempotency_transaction(None, None, None)
        return response

    def _end_idempotency_transaction(self, *exc_info) -> None:
        if self.idempotency_transaction is not None:
            atomic, self.idempotency_transaction = self.idempotency_transaction, None
            atomic.__exit__(*exc_info)

    def initial(self, request, *args, **kwargs):
        if not hasattr(self, "client_lookup"):
            raise ImproperlyConfigured(f"{type(self).__name__} must declare client_lookup (API.md 8.1).")
        check_body_size(request)
        super().initial(request, *args, **kwargs)
        # After authentication, permissions and rate limits: their 401, 403 and 429 are
        # never stored.
        if _idempotent(request) and request.auth is not None:
            self.idempotency_claim = self._claim_idempotency_key(request)

    def _claim_idempotency_key(self, request):
        key = request.META["HTTP_IDEMPOTENCY_KEY"]
        if not idempotency.VALID_KEY.match(key):
            raise ValidationError({idempotency.HEADER: ["Expected 1 to 255 printable ASCII characters."]})
        identity = {"api_key_id": request.auth.pk, "key": key,
                    "fingerprint": idempotency.fingerprint(request.method, request.path, request.body)}
        try:
            idempotency.answer_stored(**identity)
            self.idempotency_transaction = transaction.atomic()
            self.idempotency_transaction.__enter__()
            return idempotency.claim(**identity)
        except idempotency.KeyInProgress as error:
            raise IdempotencyInProgress() from error
        except idempotency.KeyReused as error:
            raise IdempotencyKeyReused() from error

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return replay_response(exc.record)
        return super().handle_exception(exc)

    def list(self, request, *args, **kwargs):
        with list_slot():
            return super().list(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = self.scoped(queryset)
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as error:
            raise NotFound(self.not_found_message) from error


class APIModelViewSet(APIViewSetMixin, viewsets.ModelViewSet):
    pass


class APIReadOnlyViewSet(APIViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class APINotFoundView(APIView):
    """Any unknown URL under /api/: a 404 in the error envelope, for every method."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    schema = None

    def dispatch(self, request, *args, **kwargs):
        self.args, self.kwargs, self.request = args, kwargs, request
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        self.headers = self.default_response_headers
        response = self.handle_exception(NotFound("The requested URL was not found."))
        self.response = self.finalize_response(request, response, *args, **kwargs)
        return self.response
