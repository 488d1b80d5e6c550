"""F: the least a Django view can do to answer P's list request, for the benchmark only.

No middleware, no DRF, no filters, no pagination logic: for `GET /floor/contacts` it runs
the statements P runs for `GET /api/v1/contacts?limit=100` (the key lookup, the count
statement of contacts_api/api/plans.py, and the page), compiled once at start-up and then
executed through Django's connection (so prepared like P's), and writes the same contact
objects with orjson. Served by bench/floor_settings.py beside P, it shows what the stack
(gunicorn, Django's request handling, psycopg, building the JSON) and the SQL cost before
any of P's own rules run. Never part of the product's URLs.
"""

import orjson
from django.db import connection
from django.http import HttpResponse
from django.urls import path

from accounts.keys import key_prefix
from accounts.models import APIKey
from contacts.models import Contact
from contacts.representation import LIST_VALUES, contact_row_representation
from contacts_api.api.plans import count_statement

_statements: list = []


def _compile():
    if not _statements:
        living = Contact.objects.values(*LIST_VALUES).filter(deleted_at__isnull=True).order_by("id")
        key_sql, _ = APIKey.objects.select_related("user").filter(prefix="x")[:1].query.sql_with_params()
        page_sql, page_params = living[:101].query.sql_with_params()
        _statements.extend([key_sql, count_statement(living), (page_sql, page_params)])
    return _statements


def floor_list(request):
    key_sql, (count_sql, count_params), (page_sql, page_params) = _compile()
    prefix = key_prefix(request.headers.get("Authorization", "")[len("Bearer ") :])
    with connection.cursor() as cursor:
        cursor.execute(key_sql, [prefix])
        if cursor.fetchone() is None:
            return HttpResponse(status=401)
        cursor.execute(count_sql, count_params)
        total = cursor.fetchone()
        cursor.execute(page_sql, page_params)
        rows = [contact_row_representation(dict(zip(LIST_VALUES, row, strict=True))) for row in cursor.fetchall()]
    body = {"success": True, "message": "Contacts retrieved successfully.", "data": rows[:100],
            "meta": {"total": total[1] or total[0]}}
    return HttpResponse(orjson.dumps(body), content_type="application/json")


urlpatterns = [path("floor/contacts", floor_list)]
