from django.contrib import admin

from contacts_api.admin_pages import admin_page

from .models import WebhookDelivery, WebhookEndpoint
from .services import endpoint_create, endpoint_rotate_secret


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ("attempted_at", "event_id", "event_type", "attempt", "status_code", "error", "duration_ms")
    readonly_fields = fields
    ordering = ("-id",)
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-id")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("url", "client", "enabled", "event_types", "disabled_reason", "created_at")
    list_filter = ("enabled",)
    list_select_related = ("client",)
    fields = ("url", "description", "client", "event_types", "enabled", "disabled_reason", "created_at")
    raw_id_fields = ("client",)
    readonly_fields = ("disabled_reason", "created_at")
    actions = ("rotate_secret",)
    inlines = (WebhookDeliveryInline,)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = endpoint_create(
            url=obj.url, description=obj.description, event_types=obj.event_types, client_id=obj.client_id
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        # The secret is shown on this page, once; never in a message cookie.
        return self._secret_page(request, obj, "Webhook endpoint added")

    @admin.action(description="Rotate the signing secret (the old one signs for 24 hours more)")
    def rotate_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one endpoint.", level="error")
            return None
        endpoint = queryset.get()
        endpoint_rotate_secret(endpoint=endpoint)
        return self._secret_page(request, endpoint, "Secret rotated")

    def _secret_page(self, request, endpoint, title):
        return admin_page(self, request, "admin/webhooks/secret.html", title, endpoint=endpoint)
