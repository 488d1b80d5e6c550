"""Write operations on contacts, shared by the API, the admin and the import commands.

Each takes keyword arguments, runs in one transaction and leaves the last word to the
database constraints: a rule that slips past the Python check in a race still comes back
as a ServiceValidationError, never as an IntegrityError.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import Role, User
from accounts.validators import CLIENT_NOT_FOUND, DUPLICATE_EMAIL, REQUIRED, SOCIAL_NETWORKS, normalize_email
from clients.models import Client
from contacts_api.errors import ConflictError, NotFoundError, PreconditionFailed, ServiceValidationError
from contacts_api.lookups import AnyOf
from contacts_api.versions import Precondition
from events.actors import Actor
from events.models import Event
from events.services import erase_contact_events, record_contact_events
from idempotency.services import forget_answers_mentioning

from .models import Contact
from .representation import LIST_VALUES, contact_representation, contact_row_representation

logger = logging.getLogger(__name__)

NOT_A_CLIENT_CONTACT = "The contact does not belong to a client account."
CONTACT_NOT_FOUND = "Contact not found."
OPTIONAL_FIELDS = ("phone", "job_position", "status", *SOCIAL_NETWORKS)
# What a bulk write compares and changes; the email is what it matches by.
UPDATED_FIELDS = ("first_name", "last_name", "client_id", *OPTIONAL_FIELDS)


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


# Advisory lock keys: a contact's is minus its id, a client's owner changes minus 2**62
# minus the client's id, apart from the other advisory locks (idempotency keys, the
# database cache's counters).
CLIENT_LOCK_BASE = -(2**62)


def _wait_for_writers(contact_ids) -> None:
    """Wait until no other transaction is writing these contacts, and keep them until this
    one ends, without giving this transaction an id yet (PostgreSQL advisory locks).

    Every write takes these before its first write, so a contact's next writer gets its
    transaction id after the previous writer committed: the feed, ordered by that id,
    then lists each contact's changes in the order they were made (events.feed). In
    ascending order, so that two writers never wait for each other. SQLite runs one writer
    at a time already.
    """
    if connection.vendor != "postgresql":
        return
    ids = sorted(set(contact_ids))
    if not ids:
        return
    with connection.cursor() as cursor:
        # One statement: unnest yields the sorted array in order, one lock after the other.
        cursor.execute("SELECT count(pg_advisory_xact_lock(-id)) FROM unnest(%s::bigint[]) AS id", [ids])


def _lock(user: User, if_match: Precondition | None, *, living: bool = True) -> Contact:
    """The contact's row as it is now, locked until the transaction ends.

    NotFoundError if it is gone (or, with `living`, deleted) since the caller read it
    (the API and the admin read it before the write begins); PreconditionFailed if the
    caller's If-Match does not name its version. The comparison is made here, under the
    lock, so that two writers who read one version cannot both win (API.md 6.1).
    """
    _wait_for_writers([user.pk])
    contacts = Contact.objects.alive() if living else Contact.objects.all()
    contact = contacts.with_related().select_for_update(of=("self",)).filter(pk=user.pk).first()
    if contact is None:
        raise NotFoundError(CONTACT_NOT_FOUND)
    if if_match is not None and not if_match.matches(contact.version):
        raise PreconditionFailed()
    return contact


def _save_changed(contact: Contact, changed: list[str], event_type: str, before: dict, actor: Actor) -> None:
    """Save the changed fields with the next version, in one statement, and record the
    change (API.md 7.1); nothing if no field changed."""
    if changed:
        contact.version += 1
        _save(contact, update_fields=[*changed, "version", "updated_at"])
        record_contact_events([(event_type, before, contact_representation(contact))], actor=actor)


def _clean_optional(value: str | None) -> str | None:
    # An optional text sent as "" is cleared, like null (API.md 3.5).
    if value is None:
        return None
    value = value.strip()
    return value or None


def _cleaned(values: dict) -> dict:
    """Values as every write stores them (API.md 3.4, 3.5): names trimmed, the email's
    domain lower-cased, an empty optional text None; `social` becomes its five fields."""
    cleaned = {name: value for name, value in values.items() if name != "social"}
    cleaned.update(values.get("social") or {})
    for name in ("first_name", "last_name"):
        if name in cleaned:
            cleaned[name] = cleaned[name].strip()
    if "email" in cleaned:
        cleaned["email"] = normalize_email(cleaned["email"])
    for name in ("phone", "job_position", *SOCIAL_NETWORKS):
        if name in cleaned:
            cleaned[name] = _clean_optional(cleaned[name])
    return cleaned


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
    actor: Actor,
) -> Contact:
    """Create a contact of `client`; optionally send the welcome email after commit."""
    values = _cleaned(
        {"first_name": first_name, "last_name": last_name, "email": email, "phone": phone,
         "job_position": job_position, "status": status, "social": social}
    )
    if email_taken(values["email"]):
        raise ServiceValidationError({"email": [DUPLICATE_EMAIL]})
    contact = Contact(
        **values,
        client=client,
        role=role or default_contact_role(),
        is_account_owner=False,
        user_type=User.UserType.CLIENT,
    )
    contact.set_unusable_password()
    _save(contact)
    record_contact_events([(Event.Type.CREATED, None, contact_representation(contact))], actor=actor)
    if send_email:
        transaction.on_commit(partial(enqueue_welcome_email, contact.pk))
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, data: dict, actor: Actor, if_match: Precondition | None = None) -> Contact:
    """Change the given fields of a contact; fields absent from `data` keep their value.

    `data` may hold first_name, last_name, email, phone, job_position, status, social and
    (for staff, never from the API) client: a contact moved to another client stops being
    an account owner. The account-owner flag is otherwise not changed here. Only values
    that differ are written; the locked row, as saved, is returned.
    """
    values = _cleaned(data)
    contact = _lock(contact, if_match)
    before = contact_representation(contact)
    if "email" in values and email_taken(values["email"], exclude_pk=contact.pk):
        raise ServiceValidationError({"email": [DUPLICATE_EMAIL]})
    if "client" in values and values["client"] != contact.client:
        values["is_account_owner"] = False
    changed = [name for name, value in values.items() if getattr(contact, name) != value]
    for name in changed:
        setattr(contact, name, values[name])
    _save_changed(contact, changed, Event.Type.UPDATED, before, actor)
    return contact


@transaction.atomic
def contact_soft_delete(*, contact: Contact, actor: Actor, if_match: Precondition | None = None) -> Contact:
    """Mark the contact deleted, give up account ownership and free its email."""
    contact = _lock(contact, if_match)
    before = contact_representation(contact)
    contact.status, contact.deleted_at, contact.is_account_owner = User.Status.DELETED, timezone.now(), False
    _save_changed(contact, ["status", "deleted_at", "is_account_owner"], Event.Type.DELETED, before, actor)
    return contact


@transaction.atomic
def contact_restore(*, contact: Contact, actor: Actor, if_match: Precondition | None = None) -> Contact:
    """Bring a soft-deleted contact back as active (API.md 6.4), unless its email now
    belongs to another living user; a living contact is returned unchanged."""
    contact = _lock(contact, if_match, living=False)
    if contact.deleted_at is None:
        return contact
    if email_taken(contact.email, exclude_pk=contact.pk):
        raise ServiceValidationError(
            {"email": [f"{contact.email} now belongs to another user; change it before restoring."]}
        )
    before = contact_representation(contact)
    contact.status, contact.deleted_at, contact.is_account_owner = User.Status.ACTIVE, None, False
    _save_changed(contact, ["status", "deleted_at", "is_account_owner"], Event.Type.RESTORED, before, actor)
    return contact


@transaction.atomic
def contact_erase(
    *, contact: User, actor: Actor, if_match: Precondition | None = None, deleted_before=None
) -> None:
    """Remove a contact's personal data for good, living or soft-deleted (API.md 8.2).

    In one transaction: the row deleted; its events redacted and a contact.erased event
    recorded (webhooks deliver it like any other); the idempotency records whose answer
    showed it, its welcome-email task rows and the names in Django's admin log removed.
    With `deleted_before` (retention), a contact that is not soft-deleted since before
    then is left alone: NotFoundError.
    """
    from .tasks import forget_welcome_emails

    contact = _lock(contact, if_match, living=False)
    if deleted_before is not None and (contact.deleted_at is None or contact.deleted_at >= deleted_before):
        raise NotFoundError(CONTACT_NOT_FOUND)
    emails = erase_contact_events(contact_id=contact.pk, client_id=contact.client_id, actor=actor)
    forget_answers_mentioning(emails | {contact.email})
    forget_welcome_emails(contact.pk)
    content_types = ContentType.objects.get_for_models(User, Contact, for_concrete_models=False).values()
    LogEntry.objects.filter(content_type__in=content_types, object_id=str(contact.pk)).update(
        object_repr=f"Erased contact {contact.pk}"
    )
    User.objects.filter(pk=contact.pk).delete()


def erase_deleted_contacts(*, actor: Actor, stop=lambda: False) -> int:
    """Erase the contacts soft-deleted more than CONTACTS_ERASE_DELETED_AFTER_DAYS ago
    (0: never), each in its own transaction; how many (purge, run hourly by the worker).
    `stop()` is asked between contacts: the worker's SIGTERM ends a long backlog early,
    and the next run goes on."""
    days = settings.CONTACTS_ERASE_DELETED_AFTER_DAYS
    if days <= 0:
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    erased = 0
    for contact in Contact.objects.filter(deleted_at__lt=cutoff).only("pk").order_by("pk").iterator():
        if stop():
            break
        try:
            contact_erase(contact=contact, actor=actor, deleted_before=cutoff)
        except NotFoundError:
            continue  # restored or erased since the query
        erased += 1
    return erased


@transaction.atomic
def contact_set_account_owner(*, user: User, actor: Actor, if_match: Precondition | None = None) -> Contact:
    """Make this contact its client's only account owner.

    The client row is locked first, so that concurrent calls for contacts of one client
    run one after the other and leave exactly one owner; the partial unique index is
    the last word. `user` may be any living user: a staff user is a ConflictError. The
    previous owner's version moves with its flag, in the same statement.
    """
    if user.user_type != User.UserType.CLIENT or user.client_id is None:
        raise ConflictError(NOT_A_CLIENT_CONTACT)
    # Owner changes of one client run one at a time. An advisory lock, not a lock on the
    # client's row: FOR UPDATE there waited for the KEY SHARE lock that creating a contact
    # of the client takes for its foreign key, and the two deadlocked; and a row lock would
    # give this transaction an id before its contacts' locks (_wait_for_writers).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLIENT_LOCK_BASE - user.client_id])
    previous = Contact.objects.filter(client_id=user.client_id, is_account_owner=True).exclude(pk=user.pk)
    _wait_for_writers([user.pk, *previous.values_list("pk", flat=True)])
    contact = _lock(user, if_match)
    if contact.client_id != user.client_id:  # moved to no client since the caller read it
        raise ConflictError(NOT_A_CLIENT_CONTACT)
    if contact.is_account_owner:
        return contact
    # Both owners' changes are events: read the previous owner as it is, then change it.
    was = [row for row in previous.select_for_update(of=("self",)).values(*LIST_VALUES)]
    if was:
        now = timezone.now()
        previous.update(is_account_owner=False, version=F("version") + 1, updated_at=now)
        record_contact_events(
            [
                (Event.Type.UPDATED, contact_row_representation(row),
                 contact_row_representation({**row, "is_account_owner": False, "version": row["version"] + 1, "updated_at": now}))
                for row in was
            ],
            actor=actor,
        )
    before = contact_representation(contact)
    contact.is_account_owner = True
    _save_changed(contact, ["is_account_owner"], Event.Type.UPDATED, before, actor)
    return contact


BULK_ROW_FIELDS = ("first_name", "last_name", "email", "client_id", *OPTIONAL_FIELDS)
IN_BATCH_DUPLICATE = "This email appears earlier in the batch."
OWNER_MOVE = "The contact is its client's account owner; a bulk write never moves an account owner."


@dataclass
class BulkResult:
    """What happened to one item of a bulk write; `errors` are keyed by model field."""

    result: str  # created, updated, unchanged, skipped or error
    pk: int | None = None
    errors: dict[str, list[str]] | None = None
    contact: dict | None = None  # the contact object after the write (none on error)


@transaction.atomic(savepoint=False)  # a failure rolls back the caller's transaction too
def contacts_bulk_write(
    items: list[dict],
    *,
    actor: Actor,
    update_existing: bool = True,
    move_between_clients: bool = False,
    send_email: list[bool] | None = None,
    bound_client_id: int | None = None,
    insert_first: bool = False,
) -> list[BulkResult]:
    """Create or update many contacts by email, in a fixed number of queries.

    Each item holds `email`, `client_id` and any of the other BULK_ROW_FIELDS, validated
    (the API's serializer, the import's columns); it is cleaned as contact_create cleans.
    An email no living user has creates a contact (first and last name required). A living
    contact with the email is updated with the fields the item gives (unchanged when none
    differs), or skipped without `update_existing`. A staff user is an error on `email`,
    and so is a contact of another client, unless `move_between_clients` (the import),
    which still never moves an account owner. The import checks duplicates across its
    whole file; here a repeated email in one call is an error on the later item. Every
    created and updated row is an event, recorded in one statement with the others. With
    `bound_client_id` (a bound key's batch), any other client is unknown (API.md 8.1).
    `insert_first` (without `update_existing`): the caller expects every item to be new,
    so the insert goes in before any lookup, and only a refused insert reads the users.
    Used by the batch endpoint and import_contacts.
    """
    items = [_cleaned(item) for item in items]
    results: list[BulkResult | None] = [None] * len(items)
    send = send_email or [False] * len(items)

    known_clients = dict(
        Client.objects.visible_to(bound_client_id)
        .filter(AnyOf(F("pk"), {item["client_id"] for item in items}))
        .values_list("pk", "company_name")
    )
    seen: set[str] = set()
    pending = []
    for index, item in enumerate(items):
        key = item["email"].lower()
        if item["client_id"] not in known_clients:
            results[index] = BulkResult("error", errors={"client_id": [CLIENT_NOT_FOUND]})
        elif key in seen:
            results[index] = BulkResult("error", errors={"email": [IN_BATCH_DUPLICATE]})
        else:
            seen.add(key)
            pending.append(index)

    # The users this batch may change, waited for before its first write (see
    # _wait_for_writers), then read and locked. A batch that only skips them reads them
    # once, without locks: nothing of theirs is written; with `insert_first` not even
    # that, unless the insert is refused. When there are none (most batches of a load),
    # the batch goes in with one insert, the unique email index checking it all at once;
    # a refused insert (an existing or a concurrent writer's email) reads them again.
    # Only a write that skips may insert first: one that updates must wait for the other
    # writers before its transaction has an id, which an insert gives it.
    emails = [items[i]["email"] for i in pending]
    if update_existing:
        found = None
        existing = list(_living_users(emails).values_list("pk", flat=True))
        _wait_for_writers(existing)
    elif insert_first:
        existing, found = [], None
    else:
        existing = found = _locked_by_email(emails, lock=False)
    inserted = None
    attempted = not existing and all(_creatable(items[i]) for i in pending)
    if attempted:
        inserted = _insert([items[i] for i in pending], known_clients)
    if inserted is not None:
        new, changes = pending, []
    else:
        found = None if attempted else found
        new, changes = _sort_existing(items, pending, results, update_existing, move_between_clients, found)
        inserted = _insert([items[i] for i in new], known_clients)
        if inserted is None:
            inserted = []
            for index in list(new):
                one = _insert([items[index]], known_clients)
                if one is None:  # a concurrent writer took the email after the lookup
                    results[index] = BulkResult("error", errors={"email": [DUPLICATE_EMAIL]})
                    new.remove(index)
                else:
                    inserted += one
    written = _apply_changes(changes, known_clients)
    events = []
    for index, row in zip(new, inserted, strict=True):
        after = contact_row_representation(row)
        results[index] = BulkResult("created", after["id"], contact=after)
        events.append((Event.Type.CREATED, None, after))
        if send[index]:
            transaction.on_commit(partial(enqueue_welcome_email, after["id"]))
    for (index, pk, row), values in zip(changes, written, strict=True):
        after = contact_row_representation(values)
        results[index] = BulkResult("updated", pk, contact=after)
        events.append((Event.Type.UPDATED, contact_row_representation(row["before"]), after))
    record_contact_events(events, actor=actor)
    return results


def _creatable(item: dict) -> bool:
    return bool(item.get("first_name")) and bool(item.get("last_name"))


def _living_users(emails: list[str]):
    """Living users with these emails, ignoring case: the unique index's own expression
    and condition (without `email <> ''` the database cannot use the partial index)."""
    return (
        User.objects.annotate(email_lower=Lower("email"))
        .filter(AnyOf(F("email_lower"), [email.lower() for email in emails]), deleted_at__isnull=True)
        .exclude(email="")
        .order_by()
    )


def _locked_by_email(emails: list[str], *, lock: bool = True) -> dict[str, dict]:
    """The living users with these emails, locked (unless not `lock`: a write that only
    skips them), by lower-cased email (one query)."""
    users = _living_users(emails)
    if lock:
        users = users.select_for_update(of=("self",))
    return {row["email_lower"]: row for row in users.values(*LIST_VALUES, "email_lower", "user_type")}


def _sort_existing(items, pending, results, update_existing, move_between_clients, found=None):
    """Split the pending items into new ones and changes; `found` (by lower-cased email)
    is read, and locked, here unless the caller has it."""
    if found is None:
        found = _locked_by_email([items[i]["email"] for i in pending], lock=update_existing)
    new, changes = [], []
    for index in pending:
        item, current = items[index], found.get(items[index]["email"].lower())
        if current is None:
            if _creatable(item):
                new.append(index)
            else:
                results[index] = BulkResult(
                    "error", errors={name: [REQUIRED] for name in ("first_name", "last_name") if not item.get(name)}
                )
        elif current["user_type"] != User.UserType.CLIENT or (
            current["client_id"] != item["client_id"] and not move_between_clients
        ):
            results[index] = BulkResult("error", errors={"email": [DUPLICATE_EMAIL]})
        elif not update_existing:
            results[index] = BulkResult("skipped", current["id"], contact=contact_row_representation(current))
        else:
            diff = {name: item[name] for name in UPDATED_FIELDS if name in item and current[name] != item[name]}
            if not diff:
                results[index] = BulkResult("unchanged", current["id"], contact=contact_row_representation(current))
            elif "client_id" in diff and current["is_account_owner"]:
                results[index] = BulkResult("error", errors={"client_id": [OWNER_MOVE]})
            else:
                changes.append((index, current["id"], {**current, **diff, "before": current}))
    return new, changes


def _apply_changes(changes, client_names: dict[int, str]) -> list[dict]:
    """Write each changed row with its merged values and its next version (the rows are
    locked, so a value carried over is the current one), in one statement; the rows as
    written, as rows of LIST_VALUES (nothing else changes them: no re-read).

    Not `bulk_update`: its CASE per field and row costs half a second of Python and
    parsing for 100 rows, ten times the batch endpoint's budget (docs/PERFORMANCE.md).
    PostgreSQL gets one UPDATE ... FROM unnest(one array per column), a statement of a
    dozen parameters whatever the batch's size (a VALUES list of 1,400 took psycopg 4 ms
    to parse); SQLite one executemany. The values are strings, ids and one timestamp,
    which both drivers take as they are.
    """
    if not changes:
        return []
    now = timezone.now()
    names = sorted({name for _, _, row in changes for name in UPDATED_FIELDS if name in row})
    fields = [User._meta.get_field(name) for name in [*names, "version", "updated_at"]]
    stamp = fields[-1].get_db_prep_save(now, connection)
    rows = [[*(row[name] for name in names), row["version"] + 1, stamp, pk] for _, pk, row in changes]
    quote = connection.ops.quote_name
    table = quote(User._meta.db_table)
    columns = [quote(field.column) for field in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join([f"CAST(%s AS {field.db_type(connection)}[])" for field in fields] + ["CAST(%s AS bigint[])"])
            assignments = ", ".join(f"{column} = v.{column}" for column in columns)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(columns)}, id) "
                f"WHERE {table}.id = v.id",
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            assignments = ", ".join(f"{column} = %s" for column in columns)
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)
    return [
        {**row, "version": row["version"] + 1, "updated_at": now, "client__company_name": client_names[row["client_id"]]}
        for _, _, row in changes
    ]


def _insert(items: list[dict], client_names: dict[int, str]) -> list[dict] | None:
    """Insert every item in one statement (a savepoint); the new rows, or None if the
    database refused (an email that exists)."""
    if not items:
        return []
    try:
        with transaction.atomic():
            return contacts_bulk_insert(items, client_names=client_names)
    except IntegrityError:
        return None


def _sql_literal(value) -> str:
    """A constant of the executemany path (not PostgreSQL, which gets COPY) as SQL."""
    if value is None:
        return "NULL"
    if isinstance(value, (bool, int)):
        return str(int(value))
    return "'" + str(value).replace("'", "''") + "'"


def _next_ids(count: int) -> list[int]:
    """Ids for `count` new users, taken before the insert so that the insert can stay a
    COPY (which returns nothing). PostgreSQL: the id sequence. SQLite: writers run one at
    a time, so the ids after the table's AUTOINCREMENT counter are this transaction's."""
    table = User._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = (found[0] if found else 0) + 1
        return list(range(start, start + count))


def contacts_bulk_insert(rows: list[dict], *, client_names: dict[int, str] | None = None) -> list[dict]:
    """Insert many new contacts at once, with contact_create's defaults; the new rows, as
    rows of LIST_VALUES (contacts.representation), ids included.

    Each row holds first_name, last_name, email and client_id, and any of the optional
    fields, cleaned. Uniqueness is left to the database, which raises IntegrityError for
    the whole statement. PostgreSQL gets one COPY, other databases one executemany with
    the batch's constants written into the statement: no model instance and no constant
    parameter per row, so a million rows stay cheap (docs/PERFORMANCE.md, Import).
    `client_names` (id to company name) fills the rows' client; without it, one query.
    """
    if not rows:
        return []
    if client_names is None:
        client_names = dict(
            Client.objects.filter(AnyOf(F("pk"), {row["client_id"] for row in rows})).values_list("pk", "company_name")
        )
    role = default_contact_role()
    moment = timezone.now()
    now = connection.ops.adapt_datetimefield_value(moment)
    # The columns left out (last_login, username, deleted_at) are NULL, version its
    # database default.
    constants = {
        # One unusable password per batch: it can never authenticate, and set-password
        # tokens also depend on the user's id.
        "password": UNUSABLE_PASSWORD_PREFIX + get_random_string(40),
        "is_superuser": False,
        "is_staff": False,
        "is_active": True,
        "date_joined": now,
        "user_type": User.UserType.CLIENT.value,
        "role_id": role.pk,
        "is_account_owner": False,
        "created_at": now,
        "updated_at": now,
    }
    by_name = {f.attname: f.column for f in User._meta.concrete_fields}
    quote = connection.ops.quote_name
    row_columns = [quote(by_name[name]) for name in ("id", *BULK_ROW_FIELDS)]
    constant_columns = [quote(by_name[name]) for name in constants]
    table = quote(User._meta.db_table)
    column_sql = ", ".join(row_columns + constant_columns)
    ids = _next_ids(len(rows))
    values = [
        (pk, *(row.get(name, User.Status.ACTIVE if name == "status" else None) for name in BULK_ROW_FIELDS))
        for pk, row in zip(ids, rows, strict=True)
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            tail = tuple(constants.values())
            # psycopg's COPY bypasses Django's cursor: map its errors to Django's ourselves.
            with connection.wrap_database_errors, cursor.cursor.copy(
                f"COPY {table} ({column_sql}) FROM STDIN"
            ) as copy:
                for row in values:
                    copy.write_row(row + tail)
        else:
            placeholders = ", ".join(["%s"] * len(row_columns) + [_sql_literal(v) for v in constants.values()])
            cursor.executemany(f"INSERT INTO {table} ({column_sql}) VALUES ({placeholders})", values)
    fixed = {"is_account_owner": False, "role_id": role.pk, "role__name": role.name, "created_at": moment,
             "updated_at": moment, "version": 1}
    return [
        {**dict(zip(("id", *BULK_ROW_FIELDS), value, strict=True)), **fixed,
         "client__company_name": client_names.get(value[4])}
        for value in values
    ]


def enqueue_welcome_email(contact_id: int) -> None:
    """Hand the welcome email to the task backend; a failure here never fails a write."""
    from .tasks import send_welcome_email

    try:
        send_welcome_email.enqueue(contact_id)
    except Exception:
        logger.exception("Could not enqueue the welcome email for contact %s", contact_id)
