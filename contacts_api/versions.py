"""Entity tags of versioned rows (API.md 6.1): `ETag: "<version>"`, If-Match, If-None-Match.

A header is parsed into a `Precondition` by the view; the service compares it with the
row's version under the row lock, in the write's own transaction, so that two writers
who read the same version cannot both win.
"""

import re
from dataclasses import dataclass

_ENTITY_TAG = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*')


class MalformedPrecondition(ValueError):
    pass


@dataclass(frozen=True)
class Precondition:
    """A parsed If-Match or If-None-Match: `*`, or entity tags."""

    any: bool = False
    strong: frozenset[str] = frozenset()
    weak: frozenset[str] = frozenset()

    def matches(self, version: int, *, weak: bool = False) -> bool:
        """If-Match compares strongly (a W/ tag never matches), If-None-Match weakly."""
        if self.any:
            return True
        tag = str(version)
        return tag in self.strong or (weak and tag in self.weak)


def parse_precondition(header: str | None) -> Precondition | None:
    """None when the header is absent; MalformedPrecondition when it is not `*` or a
    comma-separated list of entity tags (RFC 9110 8.8.3)."""
    if header is None:
        return None
    if header.strip() == "*":
        return Precondition(any=True)
    strong, weak = set(), set()
    for part in header.split(","):
        match = _ENTITY_TAG.fullmatch(part)
        if match is None:
            raise MalformedPrecondition(header)
        (weak if match.group(1) else strong).add(match.group(2))
    return Precondition(strong=frozenset(strong), weak=frozenset(weak))


def etag(version: int) -> str:
    return f'"{version}"'
