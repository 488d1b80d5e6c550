"""gunicorn alone, for the benchmark's ladder (bench/floor.py): the same page of contacts,
made once when the worker starts, returned by a WSGI callable without Django.

    gunicorn bench.floor_bare -w 2      # with DATABASE_URL of the bench database
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.floor_settings")
django.setup()

from django.db import connection  # noqa: E402

from bench.floor import page_made_once  # noqa: E402

BODY = page_made_once()
connection.close()
HEADERS = [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
