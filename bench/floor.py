"""F: the least a Django view can do to answer P's list request, for the benchmark only.

No middleware, no DRF, no authentication rules, no filters, no pagination logic: the
view runs the two statements P runs for `GET /api/v1/contacts?limit=100` (the key lookup
and the page by id), compiled once at start-up and then executed with their parameters
through Django's connection (so prepared like P's), and writes the same contact objects
with orjson. Served by gunicorn beside P, it shows how much of P's time the stack itself
(gunicorn, Django's request handling, psycopg, building the JSON) costs. Served by
bench/floor_settings.py; never part of the product's URLs.

Two lower rungs answer with the same page of contacts, made once, and no database:
`/floor/bytes`, a Django view that returns it, and bench/floor_bare.py, a WSGI callable
gunicorn serves without Django. With F and P they show what each layer costs.
"""

import functools

import orjson
from django.db import connection
from django.db.models import F
from django.http import HttpResponse
from django.urls import path

from accounts.keys import key_prefix
from accounts.models import APIKey
from contacts.models import Contact
from contacts.serializers import LIST_VALUES, contact_row_representation
from contacts_api.lookups import InArray

_statements: dict = {}


def _compile():
    if not _statements:
        living = Contact.objects.filter(deleted_at__isnull=True).order_by("id")
        ids = list(living.values_list("id", flat=True)[:101])
        key_sql, _ = APIKey.objects.select_related("user").filter(prefix="x")[:1].query.sql_with_params()
        page_sql, page_params = Contact.objects.values(*LIST_VALUES).filter(
            InArray(F("pk"), ids), deleted_at__isnull=True
        ).order_by("id").query.sql_with_params()
        _statements.update(key=key_sql, page=(page_sql, page_params))
    return _statements


def floor_list(request):
    prefix = key_prefix(request.headers.get("Authorization", "")[len("Bearer ") :])
    with connection.cursor() as cursor:
        cursor.execute(_compile()["key"], [prefix])
        if cursor.fetchone() is None:
            return HttpResponse(status=401)
        body = page_body(cursor)
    return HttpResponse(body, content_type="application/json")


def page_body(cursor) -> bytes:
    """The list's first 100 contacts in their envelope, as P writes them."""
    page_sql, page_params = _compile()["page"]
    cursor.execute(page_sql, page_params)
    rows = [contact_row_representation(dict(zip(LIST_VALUES, row, strict=True))) for row in cursor.fetchall()]
    body = {"success": True, "message": "Contacts retrieved successfully.", "data": rows[:100]}
    return orjson.dumps(body)


@functools.cache
def page_made_once() -> bytes:
    """The same page, made on the first call and then only returned (D and G)."""
    with connection.cursor() as cursor:
        return page_body(cursor)


def floor_bytes(request):
    """Django alone: returns the page made once."""
    return HttpResponse(page_made_once(), content_type="application/json")


urlpatterns = [path("floor/contacts", floor_list), path("floor/bytes", floor_bytes)]
