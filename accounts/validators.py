"""Field rules shared by the model, the API serializers, the admin and the importers."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 30
POSITION_MAX_LENGTH = 100
SOCIAL_MAX_LENGTH = 100
# The largest id a 64-bit column holds: larger ids in a request are refused, not sent.
MAX_ID = 2**63 - 1
DUPLICATE_EMAIL = "A user with this email already exists."
REQUIRED = "This field is required."  # DRF's and Django's wording
CLIENT_NOT_FOUND = "Unknown client."  # API.md 8.1: also what a bound key gets for another client
SOCIAL_NETWORKS = ("linkedin", "twitter", "facebook", "instagram", "skype")

# An integer as a parameter or an id must be written: ASCII digits, an optional sign.
# Django's and DRF's integer fields also read "5.0", full-width and Arabic-Indic digits.
ASCII_INTEGER = re.compile(r"^\s*[+-]?[0-9]{1,100}\s*$")
PHONE_CHARACTERS = re.compile(r"^[0-9 +\-().]*$")
PHONE_PUNCTUATION = " +-()."

validate_phone = RegexValidator(
    PHONE_CHARACTERS,
    message="Enter a phone number using digits, spaces and + - ( ) . only.",
    code="invalid_phone",
)

# Invalid UTF-8 in an imported file is read as surrogate escapes: refused, like a NUL,
# which no database column can store. A function rather than a RegexValidator, whose lazy
# pattern costs a microsecond a call: an import checks every cell of a million rows.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def validate_storable(value: str) -> None:
    if _UNSTORABLE.search(value):
        raise ValidationError("Null characters and invalid UTF-8 are not allowed.", code="unstorable")


# Control characters (ESC, newline, DEL, C1) and the marks that reorder text (U+202E
# and kin) have no place in a name or a handle: they forge log lines and spoof what a
# reader sees. Applied by the model, the API and the import to every free text field.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
PLAIN_TEXT_MESSAGE = "Control characters and text-direction marks are not allowed."


def is_plain_text(value: str) -> bool:
    return not _CONTROL.search(value)


def validate_plain_text(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError(PLAIN_TEXT_MESSAGE, code="control_characters")


def normalize_email(email: str) -> str:
    """Keep the address as given but lower-case its domain (API.md 3.4)."""
    email = email.strip()
    local, sep, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}" if sep else email
