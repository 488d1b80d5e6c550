from django.db import models
from django.utils import timezone


class Timestamped(models.Model):
    """`created_at` and `updated_at`, equal on creation (auto_now fields differ by µs)."""

    created_at = models.DateTimeField(editable=False)
    updated_at = models.DateTimeField(editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        now = timezone.now()
        if self._state.adding and self.created_at is None:
            self.created_at = now
        self.updated_at = self.created_at if self._state.adding else now
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)
