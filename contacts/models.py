import re

from django.contrib.auth.models import BaseUserManager
from django.db import models
from django.db.models.functions import Upper

from accounts.models import User

PHONE_LIKE = re.compile(r"^[0-9 +\-().]+$")
MIN_PHONE_DIGITS = 3
PREFIX_WORD_LENGTH = 2


def search_q(text: str) -> models.Q:
    """The search rule of API.md 3.2, as one Q object.

    Every word must match some field: short words (1-2 chars) match the start of a first
    name, last name or email; longer ones match anywhere in those (one LIKE on
    `search_text`, accounts.models) and in the phone. A word, or the whole text, with
    at least three digits also matches the phone's digits. The phone is compared with a
    word only when the word could be part of one (digits and phone punctuation); a word of
    digits alone is answered by the phone's digits. Words are upper-cased by the database,
    as search_text is.
    """
    query = models.Q()
    for word in text.split():
        if len(word) <= PREFIX_WORD_LENGTH:
            # Prefix indexes answer these exactly; in search_text's trigram index a word of
            # one letter is a word start anywhere, which nearly every row has.
            query &= (
                models.Q(first_name__istartswith=word)
                | models.Q(last_name__istartswith=word)
                | models.Q(email__istartswith=word)
            )
            continue
        word_q = models.Q(search_text__contains=Upper(models.Value(word)))
        digits = re.sub(r"\D", "", word)
        if PHONE_LIKE.match(word) and digits != word:
            word_q |= models.Q(phone__contains=word)
        if len(digits) >= MIN_PHONE_DIGITS:
            word_q |= models.Q(phone_digits__contains=digits)
        query &= word_q
    # "(20) 7946-0000" is one phone number typed in pieces: match it whole on the digits.
    whole_digits = re.sub(r"\D", "", text)
    if len(text.split()) > 1 and PHONE_LIKE.match(text) and len(whole_digits) >= MIN_PHONE_DIGITS:
        query |= models.Q(phone_digits__contains=whole_digits)
    return query


class ContactQuerySet(models.QuerySet):
    def alive(self):
        """Contacts that are not soft-deleted."""
        return self.filter(deleted_at__isnull=True)

    def search(self, text: str):
        return self.filter(search_q(text)) if text.strip() else self

    def with_related(self):
        """What the contact representation reads, in the same query."""
        return self.select_related("client", "role")


class ContactManager(BaseUserManager.from_queryset(ContactQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(user_type=User.UserType.CLIENT)


class Contact(User):
    """A user of type `client`: a person who works at a client company."""

    objects = ContactManager()

    class Meta:
        proxy = True
        ordering = ["id"]

    def save(self, *args, **kwargs):
        self.user_type = User.UserType.CLIENT
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
