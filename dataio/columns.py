"""Columns of an import file: each cleans one cell with Django's validators.

A column works like a form field (pretix's `modelimport` columns are the model): it
strips the cell, turns an empty one into its default, runs Django's validators and raises
`ValidationError`. A form field per cell would do the same at 70 µs a row, more than
the whole rest of an import (docs/PERFORMANCE.md, Import).
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.core.validators import (
    EmailValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)

from accounts.validators import EMAIL_MAX_LENGTH, MAX_ID, REQUIRED, validate_storable
from dataio.bulk import FORMULA_STARTS, NEUTRALIZED

NOT_AN_INTEGER = "A valid integer is required."


class Column:
    """One column of a file; `attname` is the model field it fills."""

    def __init__(
        self,
        name: str,
        *,
        attname: str | None = None,
        required: bool = False,
        limit: int | None = None,
        validators: Iterable[Callable] = (),
        choices: Iterable[str] | None = None,
        default=None,
        to_python: Callable | None = None,
    ):
        self.name = name
        self.attname = attname or name
        self.required = required
        self.default = default
        self.choices = None if choices is None else frozenset(choices)
        self.to_python = to_python
        self.limit = limit
        self.validators = [validate_storable, *validators]

    def clean(self, raw: str | None):
        # Spaces only: trimming a tab or a CR could leave a cell that starts like a formula.
        value = (raw or "").strip(" ")
        if value.startswith(NEUTRALIZED) and value[1:].startswith(FORMULA_STARTS):
            value = value[1:]  # an export's mark against spreadsheet formulas
        if not value:
            if self.required:
                raise ValidationError(REQUIRED, code="required")
            return self.default
        if self.limit is not None and len(value) > self.limit:
            # DRF's wording, so that the import and the API say the same thing.
            raise ValidationError(f"Ensure this field has no more than {self.limit} characters.", code="max_length")
        for validator in self.validators:
            validator(value)
        if self.choices is not None and value not in self.choices:
            raise ValidationError(f'"{value}" is not a valid choice.', code="invalid_choice")
        return self.to_python(value) if self.to_python else value


_ID_RANGE = (MinValueValidator(1), MaxValueValidator(MAX_ID))


def _positive_id(value: str) -> int:
    if not value.isascii() or not value.isdigit():
        raise ValidationError(NOT_AN_INTEGER, code="invalid")
    number = int(value)
    for validator in _ID_RANGE:
        validator(number)
    return number


def id_column(name: str, **kwargs) -> Column:
    return Column(name, to_python=_positive_id, **kwargs)


def email_column(name: str = "email", **kwargs) -> Column:
    return Column(name, limit=EMAIL_MAX_LENGTH, validators=[EmailValidator()], **kwargs)


def url_column(name: str, **kwargs) -> Column:
    return Column(name, validators=[URLValidator()], **kwargs)


def clean_row(columns: Iterable[Column], data: dict) -> tuple[dict, list[tuple[str, str]]]:
    """(values by attname, errors as (column, message)) for one record of the file."""
    cleaned, errors = {}, []
    for column in columns:
        try:
            cleaned[column.attname] = column.clean(data.get(column.name))
        except ValidationError as error:
            errors.extend((column.name, message) for message in error.messages)
    return cleaned, errors
