"""Liveness and readiness probes (no authentication, no envelope)."""

from django.db import connection
from django.http import JsonResponse

from .db_deadline import watchdog


def healthz(request):
    """200 whenever the process can answer."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """200 when the database answers a query, else 503 (at once while it is known to be
    out of reach: db_deadline)."""
    if watchdog.unavailable():
        return _unavailable()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        watchdog.note_error()
        return _unavailable()
    return JsonResponse({"status": "ok", "database": "up"})


def _unavailable() -> JsonResponse:
    response = JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    response["Retry-After"] = "5"
    return response
