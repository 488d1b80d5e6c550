"""Background work for contacts: the welcome email (runs inline or on a task worker)."""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from .models import Contact

logger = logging.getLogger(__name__)


def set_password_url(contact: Contact) -> str:
    """A one-time link to Django's password-reset confirm view for this contact."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(contact.pk)),
            "token": default_token_generator.make_token(contact),
        },
    )
    return f"{settings.SITE_URL}{path}"


def build_welcome_email(contact: Contact) -> EmailMultiAlternatives:
    context = {
        "contact": contact,
        "company_name": contact.client.company_name if contact.client else "",
        "set_password_url": set_password_url(contact),
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("contacts/email/welcome_subject.txt", context).strip(),
        body=render_to_string("contacts/email/welcome.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[contact.email],
    )
    message.attach_alternative(render_to_string("contacts/email/welcome.html", context), "text/html")
    return message


@task()
def send_welcome_email(contact_id: int) -> bool:
    """Send the welcome email; a mail failure is logged and never raised to the caller."""
    contact = Contact.objects.alive().with_related().filter(pk=contact_id).first()
    if contact is None:
        logger.info("Welcome email skipped: contact %s is gone", contact_id)
        return False
    try:
        build_welcome_email(contact).send()
    except Exception:
        logger.exception("Welcome email to contact %s could not be sent", contact_id)
        return False
    logger.info("Welcome email sent to contact %s", contact_id)
    return True


def forget_welcome_emails(contact_id: int) -> int:
    """Delete the database task backend's rows of this contact's welcome emails, results
    and tracebacks included (erasure, API.md 8.2); how many went."""
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path=send_welcome_email.module_path, args_kwargs__args=[contact_id])
    return rows.delete()[0]
