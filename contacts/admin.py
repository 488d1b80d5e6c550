from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import ngettext

from accounts.models import User
from accounts.validators import SOCIAL_NETWORKS
from contacts_api.admin_pages import admin_page
from contacts_api.errors import NotFoundError, ServiceError, ServiceValidationError
from events.actors import staff_actor

from .forms import ContactAdminForm
from .models import Contact
from .services import (
    contact_create,
    contact_erase,
    contact_restore,
    contact_set_account_owner,
    contact_soft_delete,
    contact_update,
    enqueue_welcome_email,
)


class ContactStatusFilter(admin.SimpleListFilter):
    """Soft-deleted contacts stay hidden unless this filter asks for them."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return User.Status.choices

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "All":
                choice["display"] = "All but deleted"
            yield choice

    def queryset(self, request, queryset):
        if self.value() in User.Status.values:
            return queryset.filter(status=self.value())
        return queryset.alive()


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    """Contacts for staff. Every write goes through contacts.services, as the API's do."""

    form = ContactAdminForm
    list_display = (
        "name",
        "email",
        "client",
        "status",
        "is_account_owner",
        "role",
        "updated_at",
    )
    list_display_links = ("name", "email")
    list_filter = (ContactStatusFilter, "is_account_owner", "client", "role")
    list_select_related = ("client", "role")
    # The search box runs the API's search rule (words, short prefixes, phone digits);
    # `search_fields` only makes Django show the box.
    search_fields = ("email",)
    search_help_text = "Names, email or phone; several words must all match. Digits match any phone format."
    autocomplete_fields = ("client",)
    ordering = ("-id",)
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("account_owner_display", "role", "version", "created_at", "updated_at", "deleted_at")
    actions = ("set_account_owner", "soft_delete", "restore", "resend_welcome_email", "erase")
    _editable_fieldsets = (
        (None, {"fields": ("first_name", "last_name", "email", "client", "status")}),
        ("Work", {"fields": ("phone", "job_position")}),
        ("Social", {"fields": SOCIAL_NETWORKS}),
    )
    fieldsets = (*_editable_fieldsets, ("Account", {"fields": readonly_fields}))
    add_fieldsets = (*_editable_fieldsets, ("Welcome", {"fields": ("send_welcome_email",)}))

    @admin.display(description="name", ordering="last_name")
    def name(self, contact):
        return contact.name

    @admin.display(description="account owner", boolean=True)
    def account_owner_display(self, contact):
        return contact.is_account_owner

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj else self.add_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False

    def has_delete_permission(self, request, obj=None):
        return False  # contacts are only ever soft-deleted (the "Delete (soft)" action)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.deleted_at is not None:
            return False  # a deleted contact is read-only until restored
        return super().has_change_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError:
            # A race that got past the form's checks, or a contact deleted meanwhile
            # (save_model said which): the change view's transaction is rolled back; show
            # the page again, never a 500.
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):  # the admin's change view is atomic already
        data = form.service_data()
        try:
            if change:
                saved = contact_update(contact=obj, data=data, actor=staff_actor(request.user))
            else:
                saved = contact_create(
                    **data, send_email=form.cleaned_data.get("send_welcome_email", False), actor=staff_actor(request.user)
                )
            # The admin logs and links the object it built: make it the row as saved.
            obj.pk = saved.pk
            obj.refresh_from_db()
        except ServiceValidationError as error:
            # Only a race gets here: the form already checked the same rules.
            self.message_user(request, "; ".join(m for ms in error.errors.values() for m in ms), messages.ERROR)
            raise
        except ServiceError as error:  # deleted by someone else since the form was shown
            self.message_user(request, error.message, messages.ERROR)
            raise

    @admin.action(description="Set as account owner")
    def set_account_owner(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one contact to make account owner.", messages.ERROR)
            return
        contact = queryset.first()
        try:
            contact_set_account_owner(user=contact, actor=staff_actor(request.user))
        except ServiceError as error:
            self.message_user(request, f"{contact}: {error.message}", messages.ERROR)
            return
        self.message_user(request, f"{contact} is now the account owner of {contact.client}.", messages.SUCCESS)

    @admin.action(description="Delete (soft)")
    def soft_delete(self, request, queryset):
        deleted = 0
        for contact in queryset.alive():
            contact_soft_delete(contact=contact, actor=staff_actor(request.user))
            deleted += 1
        self.message_user(
            request, ngettext("%d contact deleted.", "%d contacts deleted.", deleted) % deleted, messages.SUCCESS
        )

    @admin.action(description="Restore")
    def restore(self, request, queryset):
        restored = 0
        for contact in queryset.filter(deleted_at__isnull=False):
            try:
                contact_restore(contact=contact, actor=staff_actor(request.user))
                restored += 1
            except ServiceValidationError as error:
                self.message_user(request, f"{contact} not restored: {error.errors['email'][0]}", messages.ERROR)
        if restored:
            self.message_user(
                request, ngettext("%d contact restored.", "%d contacts restored.", restored) % restored,
                messages.SUCCESS,
            )

    @admin.action(description="Erase personal data for good…")
    def erase(self, request, queryset):
        """API.md 8.2, behind a confirmation page: the first post shows it, its "yes" erases."""
        if request.POST.get("post") != "yes":
            return admin_page(self, request, "admin/contacts/erase_confirmation.html", "Erase contacts?",
                              contacts=list(queryset), action_checkbox_name=helpers.ACTION_CHECKBOX_NAME)
        erased = 0
        for contact in queryset:
            try:
                contact_erase(contact=contact, actor=staff_actor(request.user))
            except NotFoundError:
                continue  # erased by someone else meanwhile
            erased += 1
        self.message_user(
            request, ngettext("%d contact erased.", "%d contacts erased.", erased) % erased, messages.SUCCESS
        )
        return None

    @admin.action(description="Resend welcome email")
    def resend_welcome_email(self, request, queryset):
        sent = 0
        for contact in queryset.alive():
            transaction.on_commit(lambda pk=contact.pk: enqueue_welcome_email(pk))
            sent += 1
        self.message_user(
            request, ngettext("Welcome email queued for %d contact.", "Welcome email queued for %d contacts.", sent) % sent,
            messages.SUCCESS,
        )
