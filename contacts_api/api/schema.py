"""drf-spectacular hooks: the envelope and the error responses in the OpenAPI schema.

drf-spectacular does not see renderers or exception handlers, so what they add to a
response is described here once, for every operation; a test checks the schema
against real responses (schemathesis).
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_array_type, is_list_serializer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from .exceptions import CODES, SPECIAL_CODES


def envelope_schema(data_schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["success", "message", "data"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "message": {"type": "string"},
            "data": data_schema,
        },
    }


# The list meta as shared components (add_list_components): one ListMeta, Pagination and
# PaginationLinks for every list, not a class per list in a generated client.
LIST_COMPONENTS = {
    "PaginationLinks": {
        "type": "object",
        "required": ["previous", "next"],
        "properties": {
            "previous": {"type": "string", "format": "uri", "nullable": True},
            "next": {"type": "string", "format": "uri", "nullable": True, "description": "null on the last page"},
        },
    },
    "Pagination": {
        "type": "object",
        "required": ["total", "total_exact", "count", "per_page", "current_page", "total_pages", "links"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "total_exact": {
                "type": "boolean",
                "description": "false when the total (above 10,000) is an estimate within 20 %",
            },
            "count": {"type": "integer", "minimum": 0},
            "per_page": {"type": "integer", "minimum": 1},
            "current_page": {"type": "integer", "nullable": True, "description": "null for keyset pages (`after`)"},
            "total_pages": {"type": "integer", "minimum": 0},
            "links": {"$ref": "#/components/schemas/PaginationLinks"},
        },
    },
    "ListMeta": {
        "type": "object",
        "required": ["pagination"],
        "properties": {"pagination": {"$ref": "#/components/schemas/Pagination"}},
    },
}


def add_list_components(result, generator, request, public):
    """A postprocessing hook (SPECTACULAR_SETTINGS): the components LIST_COMPONENTS names."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(LIST_COMPONENTS)
    return result


def list_envelope_schema(items_schema: dict) -> dict:
    schema = envelope_schema(items_schema)
    schema["required"].append("meta")
    schema["properties"]["meta"] = {"$ref": "#/components/schemas/ListMeta"}
    return schema


class ErrorEnvelopeSerializer(serializers.Serializer):
    """Every 4xx and 5xx answer."""

    success = serializers.BooleanField(default=False)
    message = serializers.CharField()
    code = serializers.ChoiceField(choices=sorted({*CODES.values(), *SPECIAL_CODES}))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Field or query parameter name to messages; present on 422 only.",
    )

    class Meta:
        ref_name = "Error"


ERROR_DESCRIPTIONS = {
    400: "Malformed JSON or form body, or a malformed If-Match.",
    401: "No API key (not_authenticated) or a wrong, revoked or expired one (authentication_failed).",
    403: "The API key lacks the scope (a read-only key writing).",
    404: "Not found.",
    409: "conflict: the contact does not belong to a client account (set-account-owner); "
    "idempotency_in_progress: a request with this Idempotency-Key is still running (Retry-After: 1).",
    410: "cursor_expired: the cursor is older than the events kept.",
    412: "precondition_failed: If-Match does not name the contact's current version.",
    413: "Body over the configured limit.",
    415: "Unsupported media type.",
    422: "Body, query parameters or the Idempotency-Key header fail validation "
    "(idempotency_key_reused: the key was used with another request).",
    429: "Rate limit hit; Retry-After says when to retry.",
    500: "A bug; logged with the request id.",
    503: "The database cannot be reached; Retry-After is set.",
}
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BODY_METHODS = ("POST", "PUT", "PATCH")
IDEMPOTENT_METHODS = ("POST", "PATCH")
STRING = {"type": "string"}
RETRY_AFTER = {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait before retrying."}
HEADER_PARAMETERS = {
    "Idempotency-Key": OpenApiParameter(
        "Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x20-\\x7e]+$"},
        OpenApiParameter.HEADER,
        description="Send the same key to retry safely: the first answer is replayed for 24 hours (API.md 6.2).",
    ),
    "If-Match": OpenApiParameter(
        "If-Match", STRING, OpenApiParameter.HEADER,
        description='Write only if the contact\'s version is still this ETag (e.g. "3"), or * (API.md 6.1).',
    ),
    "If-None-Match": OpenApiParameter(
        "If-None-Match", STRING, OpenApiParameter.HEADER,
        description="304 without a body when the contact's version is still this ETag.",
    ),
}


def paths_without_trailing_slash(endpoints, **kwargs):
    """Document `/api/v1/contacts`, as the contract writes it (both forms are served)."""
    return [(path.rstrip("/"), regex, method, view) for path, regex, method, view in endpoints]


# operationIds by action: a verb and the resource's name (the view's `schema_names`).
OPERATION_VERBS = {
    "list": "list{plural}", "retrieve": "get{singular}", "create": "create{singular}",
    "update": "replace{singular}", "partial_update": "update{singular}", "destroy": "delete{singular}",
}


class EnvelopeAutoSchema(AutoSchema):
    """Wraps 2xx bodies in the success envelope and adds the contract's errors; names
    operations and components as a client's author would; one request encoding (JSON)."""

    def map_parsers(self):
        # The server also reads forms (API.md 1); documenting both encodings with one schema
        # trips client generators (openapi-python-client 1276, 1451), so the schema says JSON.
        return ["application/json"]

    def get_operation_id(self):
        """listContacts, getContact, setAccountOwner...: a view's `operation_ids` names its
        own actions; the others follow OPERATION_VERBS."""
        singular, plural = self.view.schema_names
        named = getattr(self.view, "operation_ids", {}).get(self.view.action)
        return named or OPERATION_VERBS[self.view.action].format(singular=singular, plural=plural)

    def get_description(self):
        # Only what extend_schema(description=...) writes for API users (a resource's own
        # words are its tag's, SPECTACULAR_SETTINGS["TAGS"]); never a docstring, which is
        # written for this code's maintainers.
        return ""

    def get_paginated_name(self, serializer_name):
        return f"{serializer_name}List"

    def _versioned(self) -> bool:
        """An action on one versioned object (a contact): If-Match, or If-None-Match on a
        GET (the view's `versioned_actions`)."""
        return self.view.action in getattr(self.view, "versioned_actions", {})

    def _answers_etag(self) -> bool:
        return self._versioned() and self.view.versioned_actions[self.view.action]

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if "{id}" in self.path and getattr(self.view, "lookup_value_regex", None) == "[0-9]+":
            parameters.append(OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH))
        if self.method in IDEMPOTENT_METHODS:
            parameters.append(HEADER_PARAMETERS["Idempotency-Key"])
        if self._versioned():
            parameters.append(HEADER_PARAMETERS["If-None-Match" if self.method == "GET" else "If-Match"])
        return parameters

    def response_headers(self, status: str) -> dict:
        headers = {}
        if self._answers_etag() and status in ("200", "201", "304"):
            headers["ETag"] = {"schema": STRING, "description": 'The contact\'s version, quoted: "3".'}
        if status == "201":
            headers["Location"] = {"schema": {"type": "string", "format": "uri"}, "description": "The new object's URL."}
        if self.method in IDEMPOTENT_METHODS and not status.startswith("5") and status not in ("401", "403", "429"):
            headers["Idempotent-Replayed"] = {
                "schema": {"type": "string", "enum": ["true"]},
                "description": "Present when this is the stored answer of an earlier request with the same key.",
            }
        if status in ("409", "429", "503"):
            headers["Retry-After"] = RETRY_AFTER
        return headers

    def _get_response_headers_for_code(self, status_code, direction="response"):
        return {**super()._get_response_headers_for_code(status_code, direction), **self.response_headers(str(status_code))}

    def error_statuses(self) -> list[int]:
        statuses = [401, 429, 500, 503]
        if self._versioned() and self.method in WRITE_METHODS:
            statuses += [400, 412]
        if self.method in IDEMPOTENT_METHODS:
            statuses += [409, 422]
        if self.method in WRITE_METHODS:
            statuses += [403, 413]
        if self.method in BODY_METHODS:
            statuses += [400, 415, 422]
        if self.method == "GET" and self._is_list_view():
            statuses.append(422)
        if "{" in self.path:
            statuses.append(404)
        statuses += getattr(self.view, "extra_error_statuses", {}).get(self.view.action, [])
        return sorted(set(statuses))

    def _is_list_view(self, serializer=None) -> bool:
        # Only GETs are paginated lists; a POST that answers a list (the batch) is not.
        return self.method == "GET" and super()._is_list_view(serializer)

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if is_list_serializer(serializer) and not self._is_list_view(serializer):
            for media in response.get("content", {}).values():
                media["schema"] = build_array_type(media["schema"])
        return response

    def _input_serializers(self) -> dict | None:
        return getattr(self.view, "input_serializer_classes", None)

    def get_request_serializer(self):
        # An action that reads no body (set-account-owner) has none, not the answer's.
        inputs = self._input_serializers()
        if inputs is None or self.method not in BODY_METHODS:
            return super().get_request_serializer()
        return inputs.get(self.view.action)

    def get_response_serializers(self):
        if self._input_serializers() and self.view.action in self._input_serializers():
            return self.view.serializer_class
        return super().get_response_serializers()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        media_types = self.map_renderers("media_type")
        for code, response in list(responses.items()):
            if not code.startswith("2"):
                continue
            content = response.get("content")
            if not content:
                data_schema = {"nullable": True, "description": "Always null."}
                response["content"] = {mt: {"schema": envelope_schema(data_schema)} for mt in media_types}
            elif not self._is_list_view() or self._get_paginator() is None:
                meta = getattr(self.view, "meta_schemas", {}).get(self.view.action)
                for media in content.values():
                    media["schema"] = envelope_schema(media["schema"])
                    if meta is not None:
                        media["schema"]["required"].append("meta")
                        media["schema"]["properties"]["meta"] = meta
        if self._versioned() and self.method == "GET":
            responses["304"] = {
                "description": "Not modified: If-None-Match names the current version. No body.",
                "headers": self.response_headers("304"),
            }
        error_ref = self.resolve_serializer(ErrorEnvelopeSerializer, "response").ref
        for status in self.error_statuses():
            headers = self.response_headers(str(status))
            responses.setdefault(
                str(status),
                {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {mt: {"schema": error_ref} for mt in media_types},
                    **({"headers": headers} if headers else {}),
                },
            )
        return responses
