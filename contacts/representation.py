"""The contact object of API.md 3.1, built from a row of values or a model instance.

A plain function rather than a serializer: a 100-row page is read with `values()` and
turned into objects in a fraction of a ModelSerializer's time (docs/PERFORMANCE.md).
The API's ContactSerializer declares the same shape for the schema; the event log
(contacts.services) records the same objects.
"""

from accounts.validators import SOCIAL_NETWORKS
from contacts_api.api.serializers import format_datetime

from .models import Contact

# The columns the contact object is built from: a list reads these values alone, without
# making a model instance per row (contact_row_representation).
LIST_VALUES = (
    "id", "first_name", "last_name", "email", "phone", "job_position", "is_account_owner", "status",
    "client_id", "client__company_name", "role_id", "role__name", *SOCIAL_NETWORKS, "created_at",
    "updated_at", "version",
)


def contact_row_representation(row: dict) -> dict:
    """The contact object of API.md 3.1 from a row of LIST_VALUES."""
    first_name, last_name = row["first_name"], row["last_name"]
    return {
        "id": row["id"],
        "first_name": first_name,
        "last_name": last_name,
        "name": f"{first_name} {last_name}".strip(),
        "email": row["email"],
        "phone": row["phone"],
        "job_position": row["job_position"],
        "account_owner": "yes" if row["is_account_owner"] else "no",
        "status": row["status"],
        "client": None
        if row["client_id"] is None
        else {"id": row["client_id"], "company_name": row["client__company_name"]},
        "role": None if row["role_id"] is None else {"id": row["role_id"], "name": row["role__name"]},
        "social": {network: row[network] for network in SOCIAL_NETWORKS},
        "dates": {
            "created": format_datetime(row["created_at"]),
            "updated": format_datetime(row["updated_at"]),
        },
        "version": row["version"],
    }


def contact_values(contact: Contact) -> dict:
    """A model instance as a row of LIST_VALUES (one representation for both paths)."""
    client, role = contact.client, contact.role
    row = {name: getattr(contact, name) for name in LIST_VALUES if "__" not in name}
    row["client__company_name"] = client.company_name if client else None
    row["role__name"] = role.name if role else None
    return row


def contact_representation(contact: Contact | dict) -> dict:
    row = contact if isinstance(contact, dict) else contact_values(contact)
    return contact_row_representation(row)


