from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils import timezone

from contacts_api.admin_pages import admin_page
from contacts_api.errors import ServiceError

from .models import APIKey, Role, User
from .services import api_key_create, api_key_revoke


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """Roles in use are protected: deleting one shows Django's "protected" page, not a 500."""

    list_display = ("name", "id")
    search_fields = ("name",)


class StaffCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class StaffChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class StaffUserAdmin(DjangoUserAdmin):
    """Django's user admin for staff only: contacts are managed under Contacts."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_superuser", "is_active")
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "password1", "password2")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user_type=User.UserType.STAFF)

    def save_model(self, request, obj, form, change):
        obj.user_type = User.UserType.STAFF
        if not change:
            obj.is_staff = True
        super().save_model(request, obj, form, change)


class APIKeyForm(forms.ModelForm):
    class Meta:
        model = APIKey
        fields = ("name", "user", "scope", "client", "expires_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = User.objects.filter(
                user_type=User.UserType.STAFF, is_staff=True, is_active=True
            )

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise forms.ValidationError("The expiry must be in the future.")
        return expires_at


@admin.register(APIKey)
class APIKeyAdmin(admin.ModelAdmin):
    """API keys. A new key is shown once, on the page after saving (never in a message,
    which would carry it in a cookie); the digest never."""

    form = APIKeyForm
    list_display = (
        "name", "prefix", "user", "scope", "client", "created_at", "last_used_at", "expires_at", "revoked_at"
    )
    list_filter = ("scope", ("client", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "user__email", "user__username")
    list_select_related = ("user", "client")
    raw_id_fields = ("client",)
    actions = ("revoke",)
    readonly_fields = (
        "prefix", "user", "scope", "client", "created_at", "last_used_at", "expires_at", "revoked_at"
    )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "user", "scope", "client", "expires_at")
        return ("name", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False  # keys are revoked, not deleted, so their use stays on record

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name"])
            return
        try:
            key, raw_key = api_key_create(
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                client=form.cleaned_data["client"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ServiceError as error:
            self.message_user(request, error.message, messages.ERROR)
            raise
        obj.pk = key.pk
        obj.refresh_from_db()
        obj.raw_key = raw_key  # on this request's object: the admin instance is shared

    def response_add(self, request, obj, post_url_continue=None):
        return admin_page(self, request, "admin/accounts/new_key.html", "API key added", key=obj, raw_key=obj.raw_key)

    @admin.action(description="Revoke")
    def revoke(self, request, queryset):
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(prefix=key.prefix)
            revoked += 1
        self.message_user(request, f"{revoked} key(s) revoked.", messages.SUCCESS)
