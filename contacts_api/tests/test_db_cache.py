"""The database cache's atomic incr (the rate limits' store without Redis)."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from contacts_api.testing import requires_postgres, run_concurrently

DATABASE_CACHE = {"default": {"BACKEND": "contacts_api.db_cache.DatabaseCache", "LOCATION": "django_cache"}}


@pytest.mark.django_db
@override_settings(CACHES=DATABASE_CACHE)
def test_a_database_counter_counts_from_its_added_value():
    cache = caches["default"]
    cache.add("window", 0, 60)
    assert [cache.incr("window") for _ in range(3)] == [1, 2, 3]


@pytest.mark.django_db
@override_settings(CACHES=DATABASE_CACHE)
def test_an_expired_database_counter_cannot_be_incremented():
    cache = caches["default"]
    cache.set("window", 7, -1)  # expired
    with pytest.raises(ValueError):
        cache.incr("window")


@requires_postgres
@pytest.mark.django_db(transaction=True)
@override_settings(CACHES=DATABASE_CACHE)
def test_concurrent_increments_of_a_database_counter_are_all_counted():
    cache = caches["default"]
    cache.clear()
    cache.add("race", 0, 60)
    counted = run_concurrently(8, lambda _: [cache.incr("race") for _ in range(25)])
    assert sorted(sum(counted, [])) == list(range(1, 201))
