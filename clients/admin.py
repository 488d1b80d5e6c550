from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from contacts.models import Contact

from .models import Client


class ContactInline(admin.TabularInline):
    """The client's living contacts, read-only, each linking to its own page."""

    model = Contact
    fk_name = "client"
    fields = ("contact_link", "email", "phone", "status", "is_account_owner")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "contacts"

    def get_queryset(self, request):
        return super().get_queryset(request).alive().select_related("role").order_by("last_name", "id")

    @admin.display(description="name")
    def contact_link(self, contact):
        url = reverse("admin:contacts_contact_change", args=[contact.pk])
        return format_html('<a href="{}">{}</a>', url, contact.name or contact.email)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("company_name", "email", "status", "contacts_count", "account_owner")
    list_filter = ("status",)
    search_fields = ("company_name",)
    ordering = ("company_name", "id")
    inlines = (ContactInline,)
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).with_summary()

    @admin.display(description="contacts", ordering="contacts_count")
    def contacts_count(self, client):
        return client.contacts_count

    @admin.display(description="account owner")
    def account_owner(self, client):
        owners = getattr(client, "owners", [])
        if not owners:
            return "-"
        url = reverse("admin:contacts_contact_change", args=[owners[0].pk])
        return format_html('<a href="{}">{}</a>', url, owners[0])
