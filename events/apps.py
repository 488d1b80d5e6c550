from django.apps import AppConfig


class EventsConfig(AppConfig):
    """The event log (API.md 7): every change of a contact, recorded with it; the feed
    and the per-contact history read it."""

    name = "events"
