"""API key and staff-user operations, shared by the API, the admin and the commands."""

import hmac
from datetime import timedelta
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts_api.errors import NotFoundError, ServiceError

from .keys import generate_key, key_digest, key_prefix
from .models import APIKey, User

LAST_USED_RESOLUTION = timedelta(minutes=1)
SERVICE_USERNAME = "api"


class InvalidAPIKey(ServiceError):
    code = "authentication_failed"


def api_key_create(
    *, user: User, name: str, scope: str = APIKey.Scope.WRITE, client=None, expires_at=None
) -> tuple[APIKey, str]:
    """Make a key for a staff user, bound to `client` if given (API.md 8.1); return it
    with the raw key, which is never stored."""
    if not user.is_staff or user.user_type != User.UserType.STAFF:
        raise ServiceError("API keys belong to staff users.")
    if scope not in APIKey.Scope.values:
        raise ServiceError(f"Unknown scope {scope!r}; use read or write.")
    for _ in range(5):  # a prefix collision is astronomically rare; retry anyway
        raw_key, prefix = generate_key()
        try:
            with transaction.atomic():
                key = APIKey.objects.create(
                    user=user,
                    name=name,
                    scope=scope,
                    client=client,
                    prefix=prefix,
                    digest=key_digest(raw_key),
                    expires_at=expires_at,
                )
            return key, raw_key
        except IntegrityError:
            continue
    raise ServiceError("Could not allocate a unique key prefix.")


def api_key_revoke(*, prefix: str) -> APIKey:
    key = APIKey.objects.filter(prefix=prefix).first()
    if key is None:
        raise NotFoundError(f"No API key with prefix {prefix!r}.")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


# What verifying a key reads; the owner's other fields load if something asks for them.
VERIFY_FIELDS = (
    *("prefix", "digest", "scope", "client", "expires_at", "revoked_at", "last_used_at"),
    *("user__is_active", "user__is_staff"),
)


def api_key_verify(raw_key: str) -> APIKey:
    """The living key for `raw_key`, or InvalidAPIKey saying why not.

    One indexed query by prefix; the digest is compared in constant time. `last_used_at`
    is written at most once a minute per key.
    """
    prefix = key_prefix(raw_key)
    if prefix is None:
        raise InvalidAPIKey("Malformed API key.")
    # The prefix is unique: no ordering; and only the columns the checks below read.
    found = APIKey.objects.select_related("user").only(*VERIFY_FIELDS).filter(prefix=prefix)
    key = next(iter(found.order_by()[:1]), None)
    if key is None or not hmac.compare_digest(key.digest, key_digest(raw_key)):
        raise InvalidAPIKey("Invalid API key.")
    now = timezone.now()
    if key.revoked_at is not None:
        raise InvalidAPIKey("This API key has been revoked.")
    if key.expires_at is not None and key.expires_at <= now:
        raise InvalidAPIKey("This API key has expired.")
    if not key.user.is_active or not key.user.is_staff:
        raise InvalidAPIKey("The owner of this API key is inactive.")
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        # After the request's transaction, if there is one: a write here would give it a
        # transaction id before its contacts' locks (events.feed orders by that id).
        transaction.on_commit(partial(APIKey.objects.filter(pk=key.pk).update, last_used_at=now))
        key.last_used_at = now
    return key


def service_user() -> User:
    """The staff user that owns keys made without `--user` (it cannot log in)."""
    user = User.objects.filter(username=SERVICE_USERNAME).first()
    if user is None:
        user = User(username=SERVICE_USERNAME, is_staff=True, user_type=User.UserType.STAFF)
        user.set_unusable_password()
        user.save()
    return user
