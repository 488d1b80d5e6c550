"""The API key format: `ck_<8-char prefix>_<secret><6-char CRC32>`, all base62.

The checksum lets a mistyped or truncated key be refused without a database query, and
the fixed shape lets secret scanners recognise a leaked key.
"""

import hashlib
import re
import secrets
import string
import zlib

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
KEY_PREFIX = "ck"
PREFIX_LENGTH = 8
SECRET_LENGTH = 40
CHECKSUM_LENGTH = 6
KEY_PATTERN = re.compile(
    rf"^{KEY_PREFIX}_(?P<prefix>[0-9A-Za-z]{{{PREFIX_LENGTH}}})_"
    rf"(?P<secret>[0-9A-Za-z]{{32,}})(?P<checksum>[0-9A-Za-z]{{{CHECKSUM_LENGTH}}})$"
)
MAX_KEY_LENGTH = 200


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def checksum(text: str) -> str:
    return base62(zlib.crc32(text.encode("ascii")), CHECKSUM_LENGTH)


def random_base62(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def generate_key(prefix: str | None = None) -> tuple[str, str]:
    """A new key and its prefix."""
    prefix = prefix or random_base62(PREFIX_LENGTH)
    body = f"{KEY_PREFIX}_{prefix}_{random_base62(SECRET_LENGTH)}"
    return body + checksum(body), prefix


def key_prefix(raw_key: str) -> str | None:
    """The lookup prefix of a well-formed key whose checksum holds, else None."""
    if len(raw_key) > MAX_KEY_LENGTH:
        return None
    match = KEY_PATTERN.match(raw_key)
    if not match or checksum(raw_key[:-CHECKSUM_LENGTH]) != match["checksum"]:
        return None
    return match["prefix"]


def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("ascii")).hexdigest()
