from rest_framework import serializers

from contacts_api.api.serializers import DatesSerializer, format_datetime

from .models import Client


def client_representation(client: Client) -> dict:
    owners = getattr(client, "owners", [])
    owner = owners[0] if owners else None
    return {
        "id": client.pk,
        "company_name": client.company_name,
        "email": client.email or None,
        "phone": client.phone or None,
        "website": client.website or None,
        "status": client.status,
        "contacts_count": getattr(client, "contacts_count", 0),
        "account_owner": None
        if owner is None
        else {"id": owner.pk, "name": f"{owner.first_name} {owner.last_name}".strip(), "email": owner.email},
        "dates": {
            "created": format_datetime(client.created_at),
            "updated": format_datetime(client.updated_at),
        },
    }


class AccountOwnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class ClientSerializer(serializers.Serializer):
    """A client account as API.md section 4 shows it (output only)."""

    id = serializers.IntegerField()
    company_name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    website = serializers.URLField(allow_null=True)
    status = serializers.ChoiceField(choices=Client.Status.values)
    contacts_count = serializers.IntegerField(min_value=0)
    account_owner = AccountOwnerSerializer(allow_null=True)
    dates = DatesSerializer()

    def to_representation(self, instance):
        return client_representation(instance)
