"""The key format: ck_<prefix>_<secret><CRC32>, base62."""

import re

from accounts.keys import KEY_PATTERN, checksum, generate_key, key_prefix


def test_a_new_key_has_the_documented_shape():
    key, prefix = generate_key()
    assert re.fullmatch(r"ck_[0-9A-Za-z]{8}_[0-9A-Za-z]{46}", key)
    assert KEY_PATTERN.match(key)["prefix"] == prefix


def test_the_checksum_covers_everything_before_it():
    key, _ = generate_key()
    assert key[-6:] == checksum(key[:-6])


def test_keys_are_random():
    assert len({generate_key()[0] for _ in range(50)}) == 50


def test_a_key_with_a_bad_checksum_has_no_prefix():
    key, prefix = generate_key()
    assert key_prefix(key) == prefix
    assert key_prefix(key[:-1] + ("0" if key[-1] != "0" else "1")) is None
    assert key_prefix(key + "x" * 300) is None
