from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    """Idempotency keys (API.md 6.2): a write's answer stored with the write, replayed
    when the same request comes again."""

    name = "idempotency"
