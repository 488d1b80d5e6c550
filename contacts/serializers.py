"""Contact input validation (DRF, also the schema) and the hand-written output path.

The output shape is built by `contact_row_representation`, a plain function over the
row's values: a 100-row page is read without model instances and serialized in a
fraction of a ModelSerializer's time. `ContactSerializer` declares
the same shape field by field for the OpenAPI schema, and its `to_representation` is
that function, so the two cannot drift apart.
"""

from django.core.validators import MaxLengthValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from accounts.serializers import RoleSerializer
from accounts.validators import (
    CLIENT_NOT_FOUND,
    EMAIL_MAX_LENGTH,
    MAX_ID,
    NAME_MAX_LENGTH,
    PHONE_CHARACTERS,
    PHONE_MAX_LENGTH,
    PLAIN_TEXT_MESSAGE,
    POSITION_MAX_LENGTH,
    SOCIAL_MAX_LENGTH,
    SOCIAL_NETWORKS,
    is_plain_text,
    validate_phone,
    validate_plain_text,
)
from clients.models import Client
from contacts_api.api.serializers import DatesSerializer, IntegerField

from .representation import contact_representation

YES_NO = ("yes", "no")
WRITABLE_STATUSES = (User.Status.ACTIVE, User.Status.INACTIVE)


class ContactClientSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company_name = serializers.CharField()


class SocialSerializer(serializers.Serializer):
    linkedin = serializers.CharField(allow_null=True)
    twitter = serializers.CharField(allow_null=True)
    facebook = serializers.CharField(allow_null=True)
    instagram = serializers.CharField(allow_null=True)
    skype = serializers.CharField(allow_null=True)


class ContactSerializer(serializers.Serializer):
    """The contact object of API.md 3.1 (output only)."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    name = serializers.CharField()
    email = serializers.EmailField()
    phone = serializers.CharField(allow_null=True)
    job_position = serializers.CharField(allow_null=True)
    account_owner = serializers.ChoiceField(choices=YES_NO)
    status = serializers.ChoiceField(choices=User.Status.values)
    client = ContactClientSerializer(allow_null=True)
    role = RoleSerializer(allow_null=True)
    social = SocialSerializer()
    dates = DatesSerializer()
    version = serializers.IntegerField(min_value=1, help_text="Moves on every change (API.md 6.1); the ETag.")

    def to_representation(self, instance):
        return contact_representation(instance)


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "additionalProperties": False,
        "properties": {
            network: {"type": "string", "maxLength": SOCIAL_MAX_LENGTH, "nullable": True}
            for network in SOCIAL_NETWORKS
        },
    }
)
class SocialField(serializers.Field):
    """An object with any of the five social keys; each a short string or null."""

    default_error_messages = {"invalid": "Expected an object with keys: " + ", ".join(SOCIAL_NETWORKS) + "."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        errors = []
        handles = {}
        for key, value in data.items():
            if key not in SOCIAL_NETWORKS:
                errors.append(f"Unknown key '{key}'; allowed: {', '.join(SOCIAL_NETWORKS)}.")
            elif value is None:
                handles[key] = None
            elif not isinstance(value, str):
                errors.append(f"{key}: must be a string or null.")
            elif "\x00" in value:
                errors.append(f"{key}: null characters are not allowed.")
            elif not is_plain_text(value):
                errors.append(f"{key}: {PLAIN_TEXT_MESSAGE[0].lower()}{PLAIN_TEXT_MESSAGE[1:]}")
            elif len(value.strip()) > SOCIAL_MAX_LENGTH:
                errors.append(f"{key}: ensure this field has no more than {SOCIAL_MAX_LENGTH} characters.")
            else:
                handles[key] = value.strip() or None
        if errors:
            raise serializers.ValidationError(errors)
        return handles

    def to_representation(self, value):
        return value


@extend_schema_field(
    {"type": "string", "nullable": True, "maxLength": PHONE_MAX_LENGTH, "pattern": PHONE_CHARACTERS.pattern}
)
class PhoneField(serializers.Field):
    """A phone: text of digits, spaces and + - ( ) . (validate_phone), trimmed; "" clears
    it like null. Not a CharField with allow_blank: drf-spectacular documents that as two
    schemas that "" both matches (oneOf), or one with minLength 1, and a strict client or
    validator then refuses the "" the contract allows."""

    default_error_messages = {"invalid": "Not a valid string."}

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(MaxLengthValidator(max_length))

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, float)):
            self.fail("invalid")
        return str(data).strip()

    def validate_empty_values(self, data):
        if isinstance(data, str) and not data.strip():
            return True, None
        return super().validate_empty_values(data)

    def to_representation(self, value):
        return value


class ContactWriteSerializer(serializers.Serializer):
    """Fields and rules shared by create and update (API.md 3.4, 3.5)."""

    first_name = serializers.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_plain_text])
    last_name = serializers.CharField(max_length=NAME_MAX_LENGTH, validators=[validate_plain_text])
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    phone = PhoneField(
        max_length=PHONE_MAX_LENGTH,
        required=False,
        allow_null=True,
        validators=[validate_phone],
        help_text="Digits, spaces and + - ( ) . only. null or \"\" clears it.",
    )
    position = serializers.CharField(
        source="job_position",
        max_length=POSITION_MAX_LENGTH,
        required=False,
        allow_null=True,
        allow_blank=True,
        validators=[validate_plain_text],
        help_text="Job position (returned as job_position). null or \"\" clears it.",
    )
    status = serializers.ChoiceField(choices=WRITABLE_STATUSES, required=False)
    social = SocialField(required=False, allow_null=True)

    def validate_social(self, value):
        # null clears every handle
        return {network: None for network in SOCIAL_NETWORKS} if value is None else value


class ContactCreateSerializer(ContactWriteSerializer):
    """A new contact (API.md 3.4)."""

    clientid = IntegerField(
        source="client",
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of an existing client. `client_id` is accepted as an alias.",
    )
    # No `default` in the schema: client generators make a property with one required.
    send_email = serializers.ChoiceField(choices=YES_NO, required=False, help_text="yes: send the welcome email (default no).")

    def to_internal_value(self, data):
        if isinstance(data, dict) and "clientid" not in data and "client_id" in data:
            data = {**data, "clientid": data["client_id"]}
        return super().to_internal_value(data)

    def validate_clientid(self, value):
        client = Client.objects.visible_to(self.context.get("bound_client_id")).filter(pk=value).first()
        if client is None:
            raise serializers.ValidationError(CLIENT_NOT_FOUND)
        return client

    def validate_send_email(self, value):
        return value == "yes"


class ContactBatchItemSerializer(ContactCreateSerializer):
    """One contact of a batch (API.md 6.3): the fields of a create; first_name and
    last_name are required only when it creates a contact."""

    # The names' requirement and the clients of the whole batch are checked at once, by
    # contacts_bulk_write.

    first_name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False, validators=[validate_plain_text])
    last_name = serializers.CharField(max_length=NAME_MAX_LENGTH, required=False, validators=[validate_plain_text])
    clientid = IntegerField(
        source="client_id",
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of an existing client. `client_id` is accepted as an alias.",
    )

    def validate_clientid(self, value):
        return value


BATCH_MAX_ITEMS = 100


class BatchItemsField(serializers.Field):
    """1 to 100 objects; each is validated on its own (ContactBatchItemSerializer), so that
    one bad item does not hide the others' results."""

    default_error_messages = {
        "not_a_list": "Expected a list of contact objects.",
        "empty": "Send at least one contact.",
        "too_many": f"Send at most {BATCH_MAX_ITEMS} contacts per batch.",
        "not_an_object": "Item {index} is not an object.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list")
        if not data:
            self.fail("empty")
        if len(data) > BATCH_MAX_ITEMS:
            self.fail("too_many")
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                self.fail("not_an_object", index=index)
        return data


class BatchItemsFieldSchema(OpenApiSerializerFieldExtension):
    """The schema of BatchItemsField: an array of 1 to 100 ContactBatchItem objects."""

    target_class = BatchItemsField

    def map_serializer_field(self, auto_schema, direction):
        item = auto_schema.resolve_serializer(ContactBatchItemSerializer, direction)
        return {"type": "array", "minItems": 1, "maxItems": BATCH_MAX_ITEMS, "items": item.ref}


class ContactBatchSerializer(serializers.Serializer):
    contacts = BatchItemsField(help_text="1 to 100 contacts, matched by email (any case).")
    # No `default` in the schema (client generators make such a property required).
    atomic = serializers.BooleanField(
        required=False, help_text="true: any failing item makes the batch a 422 and nothing is written (default false)."
    )

    def to_internal_value(self, data):
        if not isinstance(data, dict):  # the contract names `contacts` for any malformed body
            raise serializers.ValidationError({"contacts": ['Expected an object: {"contacts": [...]}.']})
        return super().to_internal_value(data)


class BatchResultSerializer(serializers.Serializer):
    """One item's result in a batch answer (output only)."""

    index = serializers.IntegerField(min_value=0)
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged", "error"])
    id = serializers.IntegerField(required=False, help_text="Absent on error.")
    contact = ContactSerializer(required=False, help_text="Absent on error.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False, help_text="On error only."
    )


BATCH_SUMMARY_SCHEMA = {
    "type": "object",
    "required": ["summary"],
    "properties": {
        "summary": {
            "type": "object",
            "required": ["created", "updated", "unchanged", "failed"],
            "properties": {name: {"type": "integer", "minimum": 0} for name in ("created", "updated", "unchanged", "failed")},
        }
    },
}


class ContactUpdateSerializer(ContactWriteSerializer):
    """PUT needs first_name, last_name and email; PATCH (partial) any subset."""

