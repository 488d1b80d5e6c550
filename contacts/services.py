"""Write operations on contacts, shared by the API, the admin and the import commands.

Each takes keyword arguments, runs in one transaction and leaves the last word to the
database constraints: a rule that slips past the Python check in a race still comes back
as a ServiceValidationError, never as an IntegrityError.
"""

import logging
from functools import partial
from operator import itemgetter

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import Role, User
from accounts.validators import DUPLICATE_EMAIL, SOCIAL_NETWORKS, normalize_email
from clients.models import Client
from contacts_api.errors import ConflictError, NotFoundError, ServiceValidationError

from .models import Contact

logger = logging.getLogger(__name__)

NOT_A_CLIENT_CONTACT = "The contact does not belong to a client account."
CONTACT_NOT_FOUND = "Contact not found."
UPDATABLE_FIELDS = ("first_name", "last_name", "email", "phone", "job_position", "status")


def email_taken(email: str, *, exclude_pk: int | None = None) -> bool:
    """Whether a living user (staff included) has this email, ignoring case.

    Compares LOWER() on both sides so that it agrees with the unique index exactly.
    """
    users = User.objects.alias(email_lower=Lower("email")).filter(
        email_lower=Lower(Value(email)), deleted_at__isnull=True
    )
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.exists()


def default_contact_role() -> Role:
    role, _ = Role.objects.get_or_create(name=Role.CLIENT)
    return role


def _raise_for_integrity_error(error: IntegrityError) -> None:
    text = str(error)
    if "user_email_ci_unique_alive" in text:
        raise ServiceValidationError({"email": [DUPLICATE_EMAIL]}) from error
    if "user_one_account_owner_per_client" in text:
        raise ConflictError("This client already has an account owner.") from error
    raise error


def _save(contact: Contact, **kwargs) -> None:
    # A savepoint, so that a constraint violation leaves the caller's transaction usable.
    try:
        with transaction.atomic():
            contact.save(**kwargs)
    except IntegrityError as error:
        _raise_for_integrity_error(error)


def _lock_living(user: User) -> Contact:
    """The contact's row as it is now, locked until the transaction ends; NotFoundError
    if it was deleted since the caller read it (the API and the admin read it before the
    write begins)."""
    contact = Contact.objects.alive().select_for_update().filter(pk=user.pk).first()
    if contact is None:
        raise NotFoundError(CONTACT_NOT_FOUND)
    return contact


def _set_social(contact: Contact, social: dict | None) -> list[str]:
    changed = []
    for network in SOCIAL_NETWORKS:
        if social is not None and network in social:
            setattr(contact, network, social[network] or None)
            changed.append(network)
    return changed


def _clean_optional(value: str | None) -> str | None:
    # An optional text sent as "" is cleared, like null (API.md 3.5).
    if value is None:
        return None
    value = value.strip()
    return value or None


@transaction.atomic
def contact_create(
    *,
    first_name: str,
    last_name: str,
    email: str,
    client: Client,
    phone: str | None = None,
    job_position: str | None = None,
    status: str = User.Status.ACTIVE,
    social: dict | None = None,
    send_email: bool = False,
    role: Role | None = None,
) -> Contact:
    """Create a contact of `client`; optionally send the welcome email after commit."""
    email = normalize_email(email)
    if email_taken(email):
        raise ServiceValidationError({"email": [DUPLICATE_EMAIL]})
    contact = Contact(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        client=client,
        phone=_clean_optional(phone),
        job_position=_clean_optional(job_position),
        status=status,
        role=role or default_contact_role(),
        is_account_owner=False,
        user_type=User.UserType.CLIENT,
    )
    _set_social(contact, social)
    contact.set_unusable_password()
    _save(contact)
    if send_email:
        transaction.on_commit(partial(enqueue_welcome_email, contact.pk))
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: dict) -> Contact:
    """Change the given fields of a contact; fields absent from `data` keep their value.

    `data` may hold first_name, last_name, email, phone, job_position, status, social and
    (for staff, never from the API) client: a contact moved to another client stops being
    an account owner. The account-owner flag is otherwise not changed here.
    """
    _lock_living(contact)  # the caller's instance is saved: only the fields that change
    changed = []
    if "client" in data and data["client"] != contact.client:
        contact.client = data["client"]
        contact.is_account_owner = False
        changed += ["client", "is_account_owner"]
    if "email" in data:
        email = normalize_email(data["email"])
        if email_taken(email, exclude_pk=contact.pk):
            raise ServiceValidationError({"email": [DUPLICATE_EMAIL]})
        contact.email = email
        changed.append("email")
    for field in ("first_name", "last_name"):
        if field in data:
            setattr(contact, field, data[field].strip())
            changed.append(field)
    for field in ("phone", "job_position"):
        if field in data:
            setattr(contact, field, _clean_optional(data[field]))
            changed.append(field)
    if "status" in data:
        contact.status = data["status"]
        changed.append("status")
    changed += _set_social(contact, data.get("social"))
    _save(contact, update_fields=[*changed, "updated_at"])
    return contact


@transaction.atomic
def contact_soft_delete(*, contact: Contact) -> None:
    """Mark the contact deleted, give up account ownership and free its email."""
    now = timezone.now()
    updated = Contact.objects.alive().filter(pk=contact.pk).update(
        status=User.Status.DELETED, deleted_at=now, is_account_owner=False, updated_at=now
    )
    if not updated:
        raise NotFoundError(CONTACT_NOT_FOUND)
    contact.status, contact.deleted_at, contact.is_account_owner = User.Status.DELETED, now, False
    contact.updated_at = now


@transaction.atomic
def contact_restore(*, contact: Contact) -> Contact:
    """Bring a soft-deleted contact back as active, unless its email now belongs to another user."""
    if contact.deleted_at is None:
        return contact
    if email_taken(contact.email, exclude_pk=contact.pk):
        raise ServiceValidationError(
            {"email": [f"{contact.email} now belongs to another user; change it before restoring."]}
        )
    contact.status, contact.deleted_at = User.Status.ACTIVE, None
    _save(contact, update_fields=["status", "deleted_at"])
    return contact


@transaction.atomic
def contact_set_account_owner(*, user: User) -> Contact:
    """Make this contact its client's only account owner.

    The client row is locked first, so that concurrent calls for contacts of one client
    run one after the other and leave exactly one owner; the partial unique index is
    the last word.
    """
    if user.user_type != User.UserType.CLIENT or user.client_id is None:
        raise ConflictError(NOT_A_CLIENT_CONTACT)
    # select_for_update is a no-op on SQLite, where IMMEDIATE transactions already
    # serialize writers.
    Client.objects.select_for_update().filter(pk=user.client_id).first()
    contact = _lock_living(user)
    if contact.client_id is None:
        raise ConflictError(NOT_A_CLIENT_CONTACT)
    if contact.is_account_owner:
        return contact
    now = timezone.now()
    Contact.objects.filter(client_id=contact.client_id, is_account_owner=True).exclude(
        pk=contact.pk
    ).update(is_account_owner=False, updated_at=now)  # the save below marks the table changed
    contact.is_account_owner = True
    _save(contact, update_fields=["is_account_owner", "updated_at"])
    return contact


BULK_ROW_FIELDS = (
    "first_name", "last_name", "email", "client_id", "phone", "job_position", "status", *SOCIAL_NETWORKS,
)


def _sql_literal(value) -> str:
    """A constant of the executemany path (not PostgreSQL, which gets COPY) as SQL."""
    if value is None:
        return "NULL"
    if isinstance(value, (bool, int)):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def contacts_bulk_insert(rows: list[dict]) -> None:
    """Insert many new contacts at once, with contact_create's defaults.

    Each row holds every field of BULK_ROW_FIELDS, cleaned. Uniqueness is left to the
    database, which raises IntegrityError for the whole statement. PostgreSQL gets one
    COPY, other databases one executemany with the batch's constants written into the
    statement: no model instance and no constant parameter per row, so a million rows
    stay cheap.
    """
    if not rows:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    constants = {
        # One unusable password per batch: it can never authenticate, and set-password
        # tokens also depend on the user's id.
        "password": UNUSABLE_PASSWORD_PREFIX + get_random_string(40),
        "last_login": None,
        "is_superuser": False,
        "username": None,
        "is_staff": False,
        "is_active": True,
        "date_joined": now,
        "user_type": User.UserType.CLIENT.value,
        "role_id": default_contact_role().pk,
        "deleted_at": None,
        "is_account_owner": False,
        "created_at": now,
        "updated_at": now,
    }
    by_name = {f.attname: f.column for f in User._meta.concrete_fields}
    quote = connection.ops.quote_name
    row_columns = [quote(by_name[name]) for name in BULK_ROW_FIELDS]
    constant_columns = [quote(by_name[name]) for name in constants]
    table = quote(User._meta.db_table)
    column_sql = ", ".join(row_columns + constant_columns)
    values = itemgetter(*BULK_ROW_FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tail = tuple(constants.values())
            # psycopg's COPY bypasses Django's cursor: map its errors to Django's ourselves.
            with connection.wrap_database_errors, cursor.cursor.copy(
                f"COPY {table} ({column_sql}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(values(row) + tail)
        else:
            placeholders = ", ".join(["%s"] * len(row_columns) + [_sql_literal(v) for v in constants.values()])
            cursor.executemany(
                f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})", [values(row) for row in rows]
            )


def enqueue_welcome_email(contact_id: int) -> None:
    """Hand the welcome email to the task backend; a failure here never fails a write."""
    from .tasks import send_welcome_email

    try:
        send_welcome_email.enqueue(contact_id)
    except Exception:
        logger.exception("Could not enqueue the welcome email for contact %s", contact_id)
