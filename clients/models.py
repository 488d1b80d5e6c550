from django.db import models
from django.db.models.functions import Coalesce

from accounts.validators import EMAIL_MAX_LENGTH, PHONE_MAX_LENGTH, validate_phone
from contacts_api.timestamps import Timestamped


class ClientQuerySet(models.QuerySet):
    def visible_to(self, bound_client_id: int | None):
        """The clients a key bound to `bound_client_id` may name (API.md 8.1): that one
        alone; every client for an unbound key (None). Any other is an unknown client."""
        return self if bound_client_id is None else self.filter(pk=bound_client_id)

    def with_summary(self):
        """Annotate `contacts_count` (living contacts) and prefetch the account owner."""
        from accounts.models import User

        living = User.objects.filter(
            client=models.OuterRef("pk"),
            user_type=User.UserType.CLIENT,
            deleted_at__isnull=True,
        )
        return self.annotate(
            contacts_count=Coalesce(
                models.Subquery(
                    living.order_by().values("client").annotate(n=models.Count("pk")).values("n")
                ),
                0,
            )
        ).prefetch_related(
            models.Prefetch(
                "contacts",
                queryset=living.model.objects.filter(
                    user_type=User.UserType.CLIENT, is_account_owner=True, deleted_at__isnull=True
                ),
                to_attr="owners",
            )
        )


class Client(Timestamped):
    """A client account: the company whose people are the contacts."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    company_name = models.CharField(max_length=200)
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH, blank=True, default="")
    phone = models.CharField(
        max_length=PHONE_MAX_LENGTH, blank=True, default="", validators=[validate_phone]
    )
    website = models.URLField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company_name"], name="client_company_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "inactive"]), name="client_status_valid"
            ),
        ]

    def __str__(self):
        return self.company_name
