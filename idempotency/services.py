"""Claiming an Idempotency-Key for one request, storing its answer, replaying it.

A key with a stored answer is replayed before any transaction begins (answer_stored).
Otherwise the request runs in one transaction with its key. On PostgreSQL the key is taken with a
transaction-scoped advisory lock: a second request with the key while the first runs
cannot take it (409), and once the first has committed it finds the stored answer. On
SQLite, transactions begin IMMEDIATE: the second waits for the first, then replays.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
VALID_KEY = re.compile(r"^[\x20-\x7e]{1,255}$")
# Answers that are never stored, so that a retry runs again (API.md 6.2); 401, 403 and
# 429 come before the key is claimed, and a 409 in progress is raised while claiming.
MIN_UNSTORED_STATUS = 500


class KeyInProgress(Exception):
    """Another request with this key is still running."""


class KeyReused(Exception):
    """The key was used with another request."""


class Replay(Exception):
    """The key's request was made before: answer with its record."""

    def __init__(self, record: IdempotencyRecord):
        super().__init__(record.key)
        self.record = record


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), b"\n", path.rstrip("/").encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


def lock_id(api_key_id: int, key: str) -> int:
    """The PostgreSQL advisory lock of one key: 64 bits of its hash."""
    return int.from_bytes(hashlib.sha256(f"{api_key_id}:{key}".encode()).digest()[:8], "big", signed=True)


def _ttl() -> timedelta:
    return timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)


@dataclass
class Claim:
    api_key_id: int
    key: str
    fingerprint: str

    def store(self, *, status: int, body: bytes, location: str = "", etag: str = "") -> None:
        """Keep the answer, in the caller's transaction (the caller keeps no 5xx)."""
        IdempotencyRecord.objects.create(
            api_key_id=self.api_key_id, key=self.key, fingerprint=self.fingerprint, status=status,
            body=body, location=location, etag=etag,
        )


def answer_stored(*, api_key_id: int, key: str, fingerprint: str) -> None:
    """Replay (or KeyReused) when the key has a stored answer within its TTL; nothing
    otherwise. Before any transaction: a stored answer was committed, so it needs no lock,
    and a replay costs one query (API.md 6.2: nothing runs again)."""
    _answer_from(IdempotencyRecord.objects.filter(api_key_id=api_key_id, key=key).first(), fingerprint)


def claim(*, api_key_id: int, key: str, fingerprint: str) -> Claim:
    """Take a key that had no stored answer for this request, in the caller's transaction;
    Replay, KeyReused or KeyInProgress when it cannot run (the request that held it may
    have committed its answer since answer_stored looked)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_id(api_key_id, key)])
            if not cursor.fetchone()[0]:
                raise KeyInProgress(key)
    records = IdempotencyRecord.objects.filter(api_key_id=api_key_id, key=key)
    if _answer_from(records.first(), fingerprint):
        records.delete()  # expired: the key is free again
    return Claim(api_key_id=api_key_id, key=key, fingerprint=fingerprint)


def _answer_from(record: IdempotencyRecord | None, fingerprint: str) -> bool:
    """Replay or KeyReused for a record within its TTL; whether there is an expired one."""
    if record is None:
        return False
    if record.created_at < timezone.now() - _ttl():
        return True
    if record.fingerprint != fingerprint:
        raise KeyReused(record.key)
    raise Replay(record)


def purge_expired() -> int:
    """Delete the records past API_IDEMPOTENCY_TTL_HOURS; how many went."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - _ttl()).delete()
    return deleted


def forget_answers_mentioning(texts) -> int:
    """Delete the records whose stored answer holds any of `texts` as a JSON string (an
    erased contact's emails: every answer that shows a contact shows its email, API.md
    8.2), in one statement; how many went. A retry with such a key runs again, as after
    the TTL."""
    position = "position(%s in body)" if connection.vendor == "postgresql" else "instr(body, %s)"
    # As our renderer writes them (UTF-8) and as an ASCII-only encoder would.
    needles = {encoded for text in texts for encoded in (json.dumps(text, ensure_ascii=False)[1:-1], json.dumps(text)[1:-1])}
    if not needles:
        return 0
    mentions = Q()
    for needle in needles:
        mentions |= Q(RawSQL(f"{position} > 0", [needle.encode()], output_field=BooleanField()))
    return IdempotencyRecord.objects.filter(mentions).delete()[0]
