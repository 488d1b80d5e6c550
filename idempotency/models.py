from django.db import models
from django.db.models.functions import Now


class IdempotencyRecord(models.Model):
    """The answer a write gave under an `Idempotency-Key`, stored in the write's own
    transaction: a crash leaves both or neither (API.md 6.2)."""

    api_key = models.ForeignKey("accounts.APIKey", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body bytes: the same key with another
    # request is refused, not replayed.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.BinaryField()
    location = models.TextField(blank=True, default="")
    etag = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_key_unique_per_api_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self):
        return f"{self.key} ({self.status})"
