"""Data versions: one token per table in the shared cache, replaced by every write.

Cached list results are stored with the token of their table they were read under, and
believed only while it is still the current one, so a write makes them stale at once: a
cached result is as exact as a fresh one. Model saves and
deletes change the token through signals; writes that bypass them (QuerySet.update,
bulk inserts) call `mark_changed` themselves. The token changes at once and again after
the commit, so that a reader who cached the data as it was before the commit, under the
first new token, is not believed either.
"""

import uuid

from django.db import transaction

from .cache import cache_set_many


def version_key(model) -> str:
    """The cache key of the table's token; read it with the cached data, in one round trip."""
    return f"version:{model._meta.db_table}"


def version_in(found: dict, model) -> str:
    """The table's current token in the result of a get_many ("0" when none is known)."""
    return found.get(version_key(model)) or "0"


def mark_changed(*models) -> None:
    """Give each table a new token now and once the current transaction commits."""

    def bump():
        cache_set_many({version_key(model): uuid.uuid4().hex for model in models}, None)

    bump()
    transaction.on_commit(bump)


def mark_instance_changed(sender, **kwargs) -> None:
    """Signal receiver for post_save / post_delete."""
    mark_changed(sender._meta.concrete_model)


def track_changes(model) -> None:
    """Give the model's table a new token on every save and delete (call from ready())."""
    from django.db.models.signals import post_delete, post_save

    label = model._meta.label_lower
    post_save.connect(mark_instance_changed, sender=model, dispatch_uid=f"version-save-{label}")
    post_delete.connect(mark_instance_changed, sender=model, dispatch_uid=f"version-delete-{label}")
