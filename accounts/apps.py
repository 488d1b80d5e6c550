from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Cached list results are keyed by the table's data version (contacts_api.versions).
        from django.db.models.signals import post_delete, post_save

        from contacts_api.versions import mark_instance_changed

        from .models import User

        post_save.connect(mark_instance_changed, sender=User, dispatch_uid="accounts-version-save")
        post_delete.connect(mark_instance_changed, sender=User, dispatch_uid="accounts-version-delete")
