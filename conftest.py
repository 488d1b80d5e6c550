"""Fixtures shared by every app's tests."""

import time

import pytest
from rest_framework.test import APIClient

from accounts.models import APIKey
from accounts.services import api_key_create
from accounts.tests.factories import StaffUserFactory
from clients.tests.factories import ClientFactory
from contacts_api.api.throttling import FixedWindowThrottle, breaker
from contacts_api.testing import api_client_for


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """Each test gets a cache of its own in memory: rate-limit counters start afresh, no
    test needs the database for it, and query counts see the endpoint's own SQL alone
    (the database cache counts with statements of its own). Tests of the database cache
    and of Redis set CACHES themselves."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": request.node.nodeid}
    }
    breaker.reset()  # a cache outage of an earlier test is over


@pytest.fixture(autouse=True)
def _windows_start_with_the_test(monkeypatch):
    """The limits count in fixed windows (a minute, an hour, a day): a test that sends
    limit + 1 requests just before a window ends would see the last one counted in the
    next window. The throttles' clock runs in real time, shifted so that every window
    begins a second before the test does."""
    shift = 1 - time.time() % 86_400
    monkeypatch.setattr(FixedWindowThrottle, "timer", staticmethod(lambda: time.time() + shift))


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The production hasher is slow on purpose; tests only need passwords to round-trip.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    return api_client_for(write_key)


@pytest.fixture
def read_api(read_key):
    return api_client_for(read_key)


@pytest.fixture
def company(db):
    """A client account."""
    return ClientFactory(company_name="Analytical Engines Ltd")

