from django import forms

from accounts.models import User
from accounts.validators import DUPLICATE_EMAIL, SOCIAL_NETWORKS, normalize_email

from .models import Contact
from .services import email_taken

EDITABLE_FIELDS = ("first_name", "last_name", "email", "client", "phone", "job_position", "status")


class ContactAdminForm(forms.ModelForm):
    """The admin's contact form: the API's rules (model validators, lengths, email unique)."""

    send_welcome_email = forms.BooleanField(
        required=False, help_text="Send the welcome email with a set-password link after saving."
    )

    class Meta:
        model = Contact
        fields = [*EDITABLE_FIELDS, *SOCIAL_NETWORKS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "first_name" not in self.fields:
            return  # a read-only view (a deleted contact): nothing to edit
        for name in ("first_name", "last_name", "email", "client"):
            self.fields[name].required = True
        self.fields["status"].choices = [
            (User.Status.ACTIVE, "Active"),
            (User.Status.INACTIVE, "Inactive"),
        ]
        if self.instance.pk:
            del self.fields["send_welcome_email"]

    def clean_first_name(self):
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self):
        return self.cleaned_data["last_name"].strip()

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if email_taken(email, exclude_pk=self.instance.pk):
            raise forms.ValidationError(DUPLICATE_EMAIL)
        return email

    def service_data(self) -> dict:
        """The cleaned fields, shaped for contacts.services."""
        data = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
        data["social"] = {network: self.cleaned_data[network] for network in SOCIAL_NETWORKS}
        return data
