from functools import reduce

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.db.models.functions import Lower, Replace, Upper

from contacts_api.timestamps import Timestamped

from .validators import (
    DUPLICATE_EMAIL,
    EMAIL_MAX_LENGTH,
    NAME_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    PHONE_PUNCTUATION,
    POSITION_MAX_LENGTH,
    SOCIAL_MAX_LENGTH,
    validate_phone,
    validate_plain_text,
)


class Role(models.Model):
    CLIENT = "Client"
    STAFF = "Staff"

    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


def _phone_digits_expression():
    # The phone's digits alone, kept by the database itself, so that "(20) 7946-0000"
    # finds "+44 20 7946 0000" with one indexed LIKE and no row can hold a stale copy.
    return reduce(
        lambda expr, char: Replace(expr, models.Value(char), models.Value("")),
        PHONE_PUNCTUATION,
        models.F("phone"),
    )


# The separator before each field in `search_text`. Python's str.split() takes it for
# whitespace, so no search word holds one and no word can match across two fields.
FIELD_SEPARATOR = "\x1f"


class Joined(models.Func):
    """`a || b || ...`, for parts that are never NULL (Concat would wrap each in COALESCE)."""

    arg_joiner = " || "
    template = "(%(expressions)s)"
    output_field = models.TextField()


def _search_text_expression():
    # The names and the email upper-cased in one value, kept by the database itself: one
    # trigram index and one LIKE per row serve a word in any of them (contacts.models).
    return Joined(
        models.Value(FIELD_SEPARATOR), Upper("first_name"),
        models.Value(FIELD_SEPARATOR), Upper("last_name"),
        models.Value(FIELD_SEPARATOR), Upper("email"),
    )


class User(Timestamped, AbstractUser):
    """Staff and contacts in one table, told apart by `user_type` (DESIGN.md)."""

    class UserType(models.TextChoices):
        STAFF = "staff", "Staff"
        CLIENT = "client", "Client"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DELETED = "deleted", "Deleted"

    # Contacts have no username; staff log in to the admin with one.
    username = models.CharField(
        max_length=150,
        unique=True,
        null=True,
        blank=True,
        validators=[UnicodeUsernameValidator()],
        error_messages={"unique": "A user with that username already exists."},
    )
    first_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True, validators=[validate_plain_text])
    last_name = models.CharField(max_length=NAME_MAX_LENGTH, blank=True, validators=[validate_plain_text])
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH, blank=True)
    user_type = models.CharField(max_length=10, choices=UserType.choices, default=UserType.STAFF)
    # Indexed by user_client_alive_idx (client, id) instead of a plain FK index: every
    # list filters on living rows, and one index less makes bulk imports faster.
    client = models.ForeignKey(
        "clients.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        db_index=False,
    )
    # No index on role: nearly every contact has the same one, and roles are rarely deleted.
    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.PROTECT, db_index=False)
    phone = models.CharField(
        max_length=PHONE_MAX_LENGTH, null=True, blank=True, validators=[validate_phone]
    )
    phone_digits = models.GeneratedField(
        expression=_phone_digits_expression(),
        output_field=models.CharField(max_length=PHONE_MAX_LENGTH, null=True),
        db_persist=True,
    )
    search_text = models.GeneratedField(
        expression=_search_text_expression(), output_field=models.TextField(), db_persist=True
    )
    job_position = models.CharField(
        max_length=POSITION_MAX_LENGTH, null=True, blank=True, validators=[validate_plain_text]
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    deleted_at = models.DateTimeField(null=True, blank=True)
    is_account_owner = models.BooleanField(default=False)
    linkedin = models.CharField(max_length=SOCIAL_MAX_LENGTH, null=True, blank=True, validators=[validate_plain_text])
    twitter = models.CharField(max_length=SOCIAL_MAX_LENGTH, null=True, blank=True, validators=[validate_plain_text])
    facebook = models.CharField(max_length=SOCIAL_MAX_LENGTH, null=True, blank=True, validators=[validate_plain_text])
    instagram = models.CharField(max_length=SOCIAL_MAX_LENGTH, null=True, blank=True, validators=[validate_plain_text])
    skype = models.CharField(max_length=SOCIAL_MAX_LENGTH, null=True, blank=True, validators=[validate_plain_text])
    # A contact's version (API.md 6.1): 1 when created, one more on every change of what
    # the contact object shows, moved by contacts.services in the statement that changes it.
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["id"]
        # Partial indexes leave out soft-deleted rows, which almost no query reads. The
        # PostgreSQL-only indexes are made by migrations: the sort indexes (ending on id,
        # API.md 1.2) in 0004, the search indexes (trigram GIN, prefix) in 0005; SQLite
        # has no trigram index, and sort indexes would only slow its imports.
        indexes = [
            models.Index(
                fields=["client", "id"],
                name="user_client_alive_idx",
                condition=models.Q(deleted_at__isnull=True),
            ),
        ]
        constraints = [
            # Unique email among living users, compared case-insensitively. Staff made
            # without an email (createsuperuser allows it) do not collide with each other.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(deleted_at__isnull=True) & ~models.Q(email=""),
                name="user_email_ci_unique_alive",
                violation_error_message=DUPLICATE_EMAIL,
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=models.Q(is_account_owner=True, deleted_at__isnull=True),
                name="user_one_account_owner_per_client",
                violation_error_message="This client already has an account owner.",
            ),
            models.CheckConstraint(
                condition=models.Q(user_type__in=["staff", "client"]),
                name="user_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "inactive", "deleted"]),
                name="user_status_valid",
            ),
            # Soft deletion is one state, whichever path wrote it.
            models.CheckConstraint(
                condition=(
                    models.Q(status="deleted", deleted_at__isnull=False)
                    | (~models.Q(status="deleted") & models.Q(deleted_at__isnull=True))
                ),
                name="user_deleted_status_matches_deleted_at",
            ),
            models.CheckConstraint(
                condition=models.Q(is_account_owner=False) | models.Q(deleted_at__isnull=True),
                name="user_deleted_is_not_owner",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email or self.username or f"User {self.pk}"


class APIKey(models.Model):
    """An API key: only its prefix (for lookup) and a SHA-256 digest are stored."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE = "write", "Write"

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8, unique=True)
    digest = models.CharField(max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    # A bound key sees this client alone (API.md 8.1). CASCADE, not SET_NULL: a key whose
    # client is gone must not become a key that sees every client.
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="api_keys",
        help_text="Bind the key to one client: it then sees and changes that client's contacts alone.",
    )
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.WRITE)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=["read", "write"]), name="apikey_scope_valid"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"
