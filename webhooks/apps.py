from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhooks (API.md 7.4): endpoints that receive the event log, signed by the Standard
    Webhooks rules, delivered in order by `manage.py deliver_webhooks`."""

    name = "webhooks"
