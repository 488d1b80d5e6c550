"""`page`/`limit` pages, `after` keyset pages, and cheap totals (API.md 1.2)."""

import contextlib
import hashlib
import math
import re

from django.conf import settings
from django.core.cache import cache
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .throttling import CACHE_DOWN

_INTEGER = re.compile(r"^-?[0-9]{1,100}$")
MAX_ID = 2**63 - 1
# Offsets past this cannot be sent to the database (64-bit); such a page is empty anyway.
MAX_OFFSET = 2**62


def _integer_param(request, name, *, default, minimum, maximum=None):
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not _INTEGER.match(raw.strip()):
        raise ValidationError({name: ["A valid integer is required."]})
    value = int(raw)
    if value < minimum:
        raise ValidationError({name: [f"Ensure this value is greater than or equal to {minimum}."]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [f"Ensure this value is less than or equal to {maximum}."]})
    return value


def count_rows(queryset) -> tuple[int, bool]:
    """The number of rows and whether it is exact.

    Up to API_EXACT_COUNT_LIMIT the count is exact and capped, so it never scans more
    rows than that. Above it, a count at most API_COUNT_CACHE_SECONDS old is reused from
    the shared cache (`total_exact: false`); a fresh one is stored and is exact.
    """
    cap = settings.API_EXACT_COUNT_LIMIT
    queryset = queryset.order_by()
    capped = queryset[: cap + 1].count()
    if capped <= cap:
        return capped, True
    sql, params = queryset.query.sql_with_params()
    key = "count:" + hashlib.sha256(f"{queryset.db}|{sql}|{params!r}".encode()).hexdigest()
    try:
        cached = cache.get(key)
    except CACHE_DOWN:
        cached = None
    if cached is not None:
        return cached, False
    total = queryset.count()
    with contextlib.suppress(*CACHE_DOWN):  # the next request then counts again
        cache.set(key, total, settings.API_COUNT_CACHE_SECONDS)
    return total, True


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
            rows = list(queryset.filter(pk__gt=self.after).order_by("pk")[: self.limit + 1])
        else:
            self.page = _integer_param(request, self.page_query_param, default=1, minimum=1)
            offset = (self.page - 1) * self.limit
            rows = list(queryset[offset : offset + self.limit + 1]) if offset < MAX_OFFSET else []
        self.has_next = len(rows) > self.limit
        rows = rows[: self.limit]
        if self.page == 1 and not self.has_next:
            self.total, self.total_exact = len(rows), True
        else:
            self.total, self.total_exact = count_rows(queryset)
        self.rows = rows
        return rows

    def _links(self):
        url = self.request.build_absolute_uri()
        if self.page is None:
            next_url = (
                replace_query_param(url, self.after_query_param, self.rows[-1].pk)
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
