"""The FilterSets' base class and the filter types they share."""

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.validators import MAX_ID


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    """An integer id: "1.5" or "abc" is a 422, and it fits a 64-bit column."""

    field_class = forms.IntegerField

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
    """A FilterSet whose form class is made once per class instead of on every request.

    django-filter builds a form class, and a form field per filter, each time a FilterSet
    is made (a fifth of a millisecond per list request). Ours depend on the class's
    filters alone, so the first one is kept; each request still gets its own filters
    and its own form. A FilterSet whose fields depend on the request (a queryset chosen
    per user, say) must not use this base. The form also refuses empty values
    (APIFilterForm).
    """

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")  # its own, never a parent's
        if form_class is None:
            made = super().get_form_class()
            form_class = cls._form_class = type(made.__name__, (APIFilterForm, made), {})
        return form_class
