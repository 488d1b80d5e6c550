"""The database cache's window counter (the rate limits' store without Redis)."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from contacts_api.cache import counter_hit
from contacts_api.testing import requires_postgres, run_concurrently

DATABASE_CACHE = {"default": {"BACKEND": "contacts_api.db_cache.DatabaseCache", "LOCATION": "django_cache"}}


@pytest.mark.django_db
@override_settings(CACHES=DATABASE_CACHE)
def test_a_database_counter_counts_from_one():
    assert [counter_hit("window", 60) for _ in range(3)] == [1, 2, 3]
    assert caches["default"].get("window") == 3


@pytest.mark.django_db
@override_settings(CACHES=DATABASE_CACHE)
def test_an_expired_database_counter_starts_again():
    counter_hit("window", 60)
    caches["default"].set("window", 7, -1)  # expired
    assert counter_hit("window", 60) == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
@override_settings(CACHES=DATABASE_CACHE)
def test_concurrent_hits_of_a_database_counter_are_all_counted():
    caches["default"].clear()
    counted = run_concurrently(8, lambda _: [counter_hit("race", 60) for _ in range(25)])
    assert sorted(sum(counted, [])) == list(range(1, 201))
