"""Fixtures shared by every app's tests."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import APIKey
from accounts.services import api_key_create
from accounts.tests.factories import StaffUserFactory


@pytest.fixture(autouse=True)
def _clear_cache(db):
    # Rate-limit counters live in the cache; each test starts afresh.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher is slow on purpose; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def memory_cache(settings):
    """The cache in this process's memory: query counts then see the endpoint's own SQL
    alone (the default database cache counts rate limits with statements of its own)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def make_api_key(staff_user):
    def make(scope=APIKey.Scope.WRITE, **kwargs):
        kwargs.setdefault("user", staff_user)
        kwargs.setdefault("name", f"{scope} key")
        return api_key_create(scope=scope, **kwargs)

    return make


@pytest.fixture
def write_key(make_api_key):
    """The raw text of a write-scoped key."""
    return make_api_key(APIKey.Scope.WRITE)[1]


@pytest.fixture
def read_key(make_api_key):
    return make_api_key(APIKey.Scope.READ)[1]


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def api(write_key):
    """An API client authenticated with a write key."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {write_key}")
    return client


@pytest.fixture
def read_api(read_key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {read_key}")
    return client

