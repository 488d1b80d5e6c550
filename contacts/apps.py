from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Cached list results are keyed by the table's data version (contacts_api.versions).
        from contacts_api.versions import track_changes

        from .models import Contact

        track_changes(Contact)
