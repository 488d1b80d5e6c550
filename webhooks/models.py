import base64
import secrets

from django.db import models
from django.db.models.functions import Now

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


class WebhookEndpoint(models.Model):
    """A receiver of the event log, with its own position in the feed."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True, default="")
    event_types = models.JSONField(default=list)  # a list of types, or ["*"]
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True, default="")
    secret = models.CharField(max_length=100, default=new_secret)
    # The secret replaced by a rotation signs alongside the new one until this time.
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # The feed position of the last event delivered (events.feed), and the retry state of
    # the next one.
    cursor_txid = models.BigIntegerField(default=0)
    cursor_event_id = models.BigIntegerField(default=0)
    attempt = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(db_default=Now())
    # One worker at a time serves an endpoint: a lease, not a row lock held through the
    # HTTP call (a transaction open for seconds would hold the feed back for everyone).
    leased_until = models.DateTimeField(null=True, blank=True)
    test_requested_at = models.DateTimeField(null=True, blank=True)
    # The client whose events this endpoint receives (a bound key's endpoint, API.md 8.1);
    # none for every client's. CASCADE for the reason APIKey.client gives.
    client = models.ForeignKey(
        "clients.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="webhook_endpoints",
        help_text="Deliver only this client's events; empty for every client's.",
    )
    created_by_key = models.ForeignKey(
        "accounts.APIKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_default=Now())
    updated_at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.url

    def accepts(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One attempt to deliver one event to one endpoint."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=32)
    attempt = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(db_default=Now())
    status_code = models.PositiveSmallIntegerField(null=True)
    error = models.CharField(max_length=300, blank=True, default="")
    duration_ms = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["endpoint", "-id"], name="delivery_endpoint_idx")]

    def __str__(self):
        return f"{self.event_id} -> {self.endpoint_id} #{self.attempt}"
