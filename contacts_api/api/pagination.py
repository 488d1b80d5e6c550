"""`page`/`limit` pages, `after` keyset pages, and totals (API.md 1.2).

Every page and total is read from the database on every request: no result is cached.
plans.py counts the total (exact up to API_EXACT_COUNT_LIMIT, estimated above it) and
chooses how a search's page is found.
"""

import math

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from accounts.validators import MAX_ID

from .filters import IntegerField
from .plans import count_total, page_queryset

# Larger offsets are clamped: a 64-bit database cannot take them, and no table is that big.
MAX_OFFSET = 2**62


def _integer_param(request, name, *, default, minimum, maximum=None):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return IntegerField(min_value=minimum, max_value=maximum).clean(raw)
    except DjangoValidationError as error:
        raise ValidationError({name: error.messages}) from error


def row_pk(row) -> int:
    """The id of a row read as a model instance or as a dict of values."""
    return row["id"] if isinstance(row, dict) else row.pk


def fetch_page(queryset, *, offset: int, size: int, after: int | None = None):
    """(rows, total, total_exact) for one page: the count (plans.count_total), then the page
    unless the count shows it is past the end.

    With `after` (keyset pages, in id order) the total is that of the whole list.
    """
    total, exact = count_total(queryset)
    if exact and offset >= total:
        return [], total, exact
    listed = queryset.order_by("pk").filter(pk__gt=after) if after is not None else queryset
    return list(page_queryset(listed, total)[offset : offset + size]), total, exact


class EnvelopePagination(BasePagination):
    """Pagination whose `meta` the envelope renderer puts beside `data`.

    It fetches one row more than the page to know whether there is a next page, and
    counts only when that is not already known from the rows.
    """

    page_query_param = "page"
    limit_query_param = "limit"
    after_query_param = "after"
    default_limit = 25
    max_limit = 100
    # Keyset pages are in id order: they cannot be combined with another order or a page.
    keyset_excludes = ("sort", "order", "page")

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.limit = _integer_param(
            request, self.limit_query_param, default=self.default_limit, minimum=1,
            maximum=self.max_limit,
        )
        self.after = _integer_param(
            request, self.after_query_param, default=None, minimum=0, maximum=MAX_ID
        )
        if self.after is not None:
            clashing = [p for p in self.keyset_excludes if p in request.query_params]
            if clashing:
                raise ValidationError(
                    {self.after_query_param: [f"after cannot be combined with {', '.join(clashing)}."]}
                )
            self.page = None
        else:
            self.page = _integer_param(request, self.page_query_param, default=1, minimum=1)
        offset = 0 if self.after is not None else min((self.page - 1) * self.limit, MAX_OFFSET)
        # One row more than the page tells whether there is a next page.
        rows, self.total, self.total_exact = fetch_page(
            queryset, offset=offset, size=self.limit + 1, after=self.after
        )
        self.has_next = len(rows) > self.limit
        self.rows = rows[: self.limit]
        return self.rows

    def _links(self):
        url = self.request.build_absolute_uri()
        if self.page is None:
            next_url = (
                replace_query_param(url, self.after_query_param, row_pk(self.rows[-1]))
                if self.has_next
                else None
            )
            return {"previous": None, "next": next_url}
        return {
            "previous": (
                replace_query_param(url, self.page_query_param, self.page - 1)
                if self.page > 1
                else None
            ),
            "next": (
                replace_query_param(url, self.page_query_param, self.page + 1)
                if self.has_next
                else None
            ),
        }

    def get_paginated_response(self, data):
        response = Response(data)
        response.meta = {
            "pagination": {
                "total": self.total,
                "total_exact": self.total_exact,
                "count": len(data),
                "per_page": self.limit,
                "current_page": self.page,
                "total_pages": math.ceil(self.total / self.limit),
                "links": self._links(),
            }
        }
        return response

    def get_paginated_response_schema(self, schema):
        from .schema import list_envelope_schema

        return list_envelope_schema(schema)

    def get_schema_operation_parameters(self, view):
        def integer(name, description, minimum, maximum=None):
            schema = {"type": "integer", "minimum": minimum}
            if maximum is not None:
                schema["maximum"] = maximum
            return {
                "name": name,
                "required": False,
                "in": "query",
                "description": description,
                "schema": schema,
            }

        return [
            integer(self.page_query_param, "Page number (default 1).", 1),
            integer(self.limit_query_param, "Rows per page, 1-100 (default 25).", 1, self.max_limit),
            integer(
                self.after_query_param,
                "Keyset pagination: rows with a larger id, in id order. "
                "Not combinable with sort, order or page.",
                0,
                MAX_ID,
            ),
        ]
