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
    try:
        if watchdog.unavailable():
            raise ConnectionError("database out of reach")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        watchdog.note_error()
        response = JsonResponse({"status": "unavailable", "database": "down"}, status=503)
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"status": "ok", "database": "up"})
