"""Plain-Python checks of single values, shared by the importers.

They apply the same limits and validators as the API serializers and the model fields
(accounts.validators), with the same messages, at a few microseconds per value.
"""

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator, URLValidator

from accounts.validators import PHONE_MAX_LENGTH, validate_phone

_email_validator = EmailValidator()
_url_validator = URLValidator()
_UNSTORABLE = re.compile("[\x00\udc80-\udcff]")
# Django's own email patterns, resolved once (the validator keeps them lazy).
_EMAIL_USER = re.compile(_email_validator.user_regex.pattern, _email_validator.user_regex.flags)

REQUIRED = "This field is required."


def too_long(limit: int) -> str:
    return f"Ensure this field has no more than {limit} characters."


def text(value, *, max_length: int, required: bool = False) -> tuple[str | None, str | None]:
    """(cleaned, error) for a text value: stripped, "" -> None unless required."""
    value = (value or "").strip()
    if not value:
        return (None, REQUIRED) if required else (None, None)
    if _UNSTORABLE.search(value):
        return None, "Null characters and invalid UTF-8 are not allowed."
    if len(value) > max_length:
        return None, too_long(max_length)
    return value, None


@lru_cache(maxsize=65536)
def _valid_email_domain(domain: str) -> bool:
    return domain in _email_validator.domain_allowlist or _email_validator.validate_domain_part(domain)


def email(value, *, max_length: int) -> tuple[str | None, str | None]:
    """Django's EmailValidator, step by step, with the domain check cached: a file holds
    a million addresses but only a few thousand domains."""
    value, error = text(value, max_length=max_length, required=True)
    if error:
        return None, error
    user, at, domain = value.rpartition("@")
    if not at or not _EMAIL_USER.match(user) or not _valid_email_domain(domain):
        return None, "Enter a valid email address."
    return value, None


def url(value, *, max_length: int) -> tuple[str | None, str | None]:
    value, error = text(value, max_length=max_length)
    if error or value is None:
        return value, error
    try:
        _url_validator(value)
    except ValidationError:
        return None, "Enter a valid URL."
    return value, None


def phone(value) -> tuple[str | None, str | None]:
    """(cleaned, error) for a phone number: the API's length and characters."""
    value, error = text(value, max_length=PHONE_MAX_LENGTH)
    if error or value is None:
        return value, error
    error = with_validator(value, validate_phone)
    return (None, error) if error else (value, None)


_resolved_patterns: dict[int, re.Pattern] = {}


def with_validator(value, validator) -> str | None:
    """The message of a Django RegexValidator (or any validator) for `value`, or None."""
    if isinstance(validator, RegexValidator) and not validator.inverse_match:
        pattern = _resolved_patterns.get(id(validator))
        if pattern is None:  # RegexValidator keeps its pattern lazy; resolve it once
            pattern = _resolved_patterns[id(validator)] = re.compile(
                validator.regex.pattern, validator.regex.flags
            )
        return None if pattern.search(value) else str(validator.message)
    try:
        validator(value)
    except ValidationError as error:
        return error.messages[0]
    return None


def choice(value, choices, *, default: str) -> tuple[str | None, str | None]:
    value = (value or "").strip()
    if not value:
        return default, None
    if value not in choices:
        return None, f'"{value}" is not a valid choice.'
    return value, None


def positive_id(value) -> tuple[int | None, str | None]:
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18 or int(value) < 1:
        return None, "A valid integer is required."
    return int(value), None
