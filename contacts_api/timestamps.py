from django.db import models
from django.db.models.expressions import DatabaseDefault
from django.db.models.functions import Now
from django.utils import timezone


class Timestamped(models.Model):
    """`created_at` and `updated_at`, equal on creation (auto_now fields differ by µs).

    Both have a database default, so rows inserted without save() (bulk_create, COPY,
    SQL) get them too.
    """

    created_at = models.DateTimeField(editable=False, db_default=Now())
    updated_at = models.DateTimeField(editable=False, db_default=Now())

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        now = timezone.now()
        if self._state.adding and (self.created_at is None or isinstance(self.created_at, DatabaseDefault)):
            self.created_at = now
        self.updated_at = self.created_at if self._state.adding else now
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)
