import django_filters
from django.db.models import F
from django.db.models.functions import Lower

from accounts.models import User
from contacts_api.api.filters import APIFilterSet, IdFilter, SearchFilter

YES_NO_CHOICES = [("yes", "yes"), ("no", "no")]
# Text sorts ignore case; every order ends on id, in the same direction, so pages never
# repeat or skip rows (and one index per sort serves both directions).
SORTS = {
    "first_name": Lower("first_name"),
    "last_name": Lower("last_name"),
    "email": Lower("email"),
    "created": F("created_at"),
    "updated": F("updated_at"),
}


class ContactFilterSet(APIFilterSet):
    """The list parameters of API.md 3.2. Without `status`, soft-deleted rows are hidden."""

    status = django_filters.ChoiceFilter(choices=User.Status.choices, method="filter_status")
    client_id = IdFilter(field_name="client_id")
    account_owner = django_filters.ChoiceFilter(choices=YES_NO_CHOICES, method="filter_account_owner")
    search = SearchFilter(method="filter_search")
    sort = django_filters.ChoiceFilter(
        choices=[(name, name) for name in SORTS], method="keep", help_text="default: id"
    )
    order = django_filters.ChoiceFilter(
        choices=[("asc", "asc"), ("desc", "desc")], method="keep", help_text="default: asc"
    )

    def filter_status(self, queryset, name, value):
        # status=deleted is `deleted_at IS NOT NULL` alone (filter_queryset): with both
        # conditions the planner would take them for independent and expect 50 times
        # fewer rows.
        return queryset if value == User.Status.DELETED else queryset.filter(status=value)

    def filter_account_owner(self, queryset, name, value):
        return queryset.filter(is_account_owner=value == "yes")

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def keep(self, queryset, name, value):
        return queryset  # applied by filter_queryset, after every filter

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        # Every status implies whether deleted_at is set (a check constraint), but the
        # planner uses a partial index only when its condition is named: the living rows'
        # indexes (deleted_at IS NULL) and the soft-deleted rows' (IS NOT NULL).
        if data.get("status") == User.Status.DELETED:
            queryset = queryset.filter(deleted_at__isnull=False)
        else:
            queryset = queryset.alive()
        queryset = super().filter_queryset(queryset)
        return order_contacts(queryset, data.get("sort"), data.get("order"))


def order_contacts(queryset, sort: str | None, order: str | None):
    descending = order == "desc"
    if not sort:
        return queryset.order_by("-id" if descending else "id")
    expression = SORTS[sort]
    return queryset.order_by(
        expression.desc() if descending else expression.asc(), "-id" if descending else "id"
    )
