"""The FilterSets' base class and the filter types they share."""


import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.validators import ASCII_INTEGER, MAX_ID


class IntegerField(forms.IntegerField):
    """Django's IntegerField, in ASCII digits only (accounts.validators.ASCII_INTEGER)."""

    default_error_messages = {"invalid": "A valid integer is required."}

    def to_python(self, value):
        if value not in self.empty_values and not ASCII_INTEGER.match(str(value)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


SEARCH_MAX_LENGTH = 100


@extend_schema_field({"type": "string", "maxLength": SEARCH_MAX_LENGTH})
class SearchFilter(django_filters.CharFilter):
    """A search term of at most 100 characters (longer is a 422), as the schema says."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """An integer id: "1.5" or "abc" is a 422, and it fits a 64-bit column."""

    field_class = IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class APIFilterForm(forms.Form):
    """A parameter that is sent must hold a value: `status=` is not one of the statuses
    (API.md 3.2: an unknown value is a 422 naming the parameter), and an empty id is not
    an integer. Only free text (`search=`) may be empty, and then matches everything."""

    def clean(self):
        for name, field in self.fields.items():
            if not isinstance(field, forms.CharField) and self.data.get(self.add_prefix(name)) == "":
                self.add_error(name, "This field may not be blank.")
        return self.cleaned_data


class APIFilterSet(django_filters.FilterSet):
    """A FilterSet whose form refuses empty values (APIFilterForm)."""

    class Meta:
        form = APIFilterForm
