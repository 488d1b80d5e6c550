"""Where P's time goes: one list request, phase by phase, in-process (no HTTP).

    DATABASE_URL=postgres://.../contacts_bench REDIS_URL=redis://... \\
        .venv/bin/python bench/breakdown.py [path]      # default /api/v1/contacts?limit=100

Calls the WSGI application directly (as gunicorn would, without the socket) many times
and times each phase by wrapping the function that does it. Prints JSON: the median
milliseconds of the whole request and of each phase; "Django and DRF" is the rest
(middleware, routing, DRF's request, negotiation and response). The database's own time is
inside the phases that query (authentication, pagination). Run by bench/api_bench.py.
"""

import io
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contacts_api.settings")

import django  # noqa: E402

django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from rest_framework.serializers import ListSerializer  # noqa: E402

from accounts.authentication import APIKeyAuthentication  # noqa: E402
from accounts.services import api_key_create, service_user  # noqa: E402
from contacts.views import ContactViewSet  # noqa: E402
from contacts_api.api.pagination import EnvelopePagination  # noqa: E402
from contacts_api.api.renderers import EnvelopeJSONRenderer  # noqa: E402
from contacts_api.api.throttling import APIKeyRateThrottle  # noqa: E402

PHASES = {
    "authentication (failure window, key lookup)": (APIKeyAuthentication, "authenticate"),
    "rate limit": (APIKeyRateThrottle, "allow_request"),
    "filters (FilterSet)": (ContactViewSet, "filter_queryset"),
    "pagination (cached ids, page query)": (EnvelopePagination, "paginate_queryset"),
    "serialization": (ListSerializer, "to_representation"),
    "rendering (orjson)": (EnvelopeJSONRenderer, "render"),
}


def timed(spent: dict, name: str, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - started

    return wrapper


def main(target: str, requests: int = 600) -> dict:
    spent: dict = defaultdict(float)
    for name, (owner, attribute) in PHASES.items():
        setattr(owner, attribute, timed(spent, name, getattr(owner, attribute)))
    _, raw_key = api_key_create(user=service_user(), name="bench breakdown")
    application = get_wsgi_application()
    url = urlsplit(target)

    def request() -> None:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": url.path, "QUERY_STRING": url.query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
            "HTTP_AUTHORIZATION": f"Bearer {raw_key}",
        }
        response = application(environ, lambda status, headers, exc_info=None: None)
        b"".join(response)
        response.close()

    for _ in range(100):  # warm: connection, prepared statements, cached ids
        request()
    samples: dict = defaultdict(list)
    for _ in range(requests):
        spent.clear()
        started = time.perf_counter()
        request()
        total = time.perf_counter() - started
        samples["whole request"].append(total)
        for name in PHASES:
            samples[name].append(spent[name])
        samples["Django and DRF (the rest)"].append(total - sum(spent[name] for name in PHASES))
    return {name: round(statistics.median(values) * 1000, 3) for name, values in samples.items()}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "/api/v1/contacts?limit=100")))
