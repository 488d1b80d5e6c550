"""API keys on the wire (API.md 2)."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.keys import generate_key, key_digest, key_prefix
from accounts.models import APIKey
from accounts.services import InvalidAPIKey, api_key_verify
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

URL = "/api/v1/contacts"
pytestmark = pytest.mark.django_db


def get(headers):
    return APIClient().get(URL, headers=headers)


def test_a_bearer_key_is_accepted(write_key):
    assert get({"Authorization": f"Bearer {write_key}"}).status_code == 200


def test_the_bearer_scheme_is_case_insensitive(write_key):
    assert get({"Authorization": f"bearer {write_key}"}).status_code == 200


def test_an_x_api_key_header_is_accepted(write_key):
    assert get({"X-API-Key": write_key}).status_code == 200


def test_a_missing_key_is_a_401_not_authenticated_with_www_authenticate():
    response = get({})
    assert envelope_error(response) == (401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_another_authorization_scheme_counts_as_no_key():
    assert envelope_error(get({"Authorization": "Basic dXNlcjpwYXNz"})) == (401, "not_authenticated")


def wrong_key_cases(write_key):
    good_prefix = key_prefix(write_key)
    unknown, _ = generate_key()
    typo = write_key[:-10] + ("A" if write_key[-10] != "A" else "B") + write_key[-9:]
    same_prefix_other_secret, _ = generate_key(prefix=good_prefix)
    return {
        "unknown": unknown,
        "typo": typo,
        "truncated": write_key[:-1],
        "garbage": "hello",
        "same prefix, other secret": same_prefix_other_secret,
    }


@pytest.mark.parametrize("case", ["unknown", "typo", "truncated", "garbage", "same prefix, other secret"])
def test_a_wrong_key_is_a_401_authentication_failed(write_key, case):
    key = wrong_key_cases(write_key)[case]
    response = get({"Authorization": f"Bearer {key}"})
    assert envelope_error(response) == (401, "authentication_failed")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_typo_is_caught_by_the_checksum_without_a_query(write_key, django_assert_num_queries):
    typo = wrong_key_cases(write_key)["typo"]
    with django_assert_num_queries(0), pytest.raises(InvalidAPIKey, match="Malformed"):
        api_key_verify(typo)


def test_a_key_and_its_owner_are_read_in_one_query(write_key, staff_user, django_assert_num_queries):
    api_key_verify(write_key)  # writes last_used_at, once a minute
    with django_assert_num_queries(1):
        key = api_key_verify(write_key)
        assert (key.user.pk, key.user.is_active, key.user.is_staff) == (staff_user.pk, True, True)
        assert key.scope == APIKey.Scope.WRITE


def test_an_empty_bearer_is_a_401_authentication_failed():
    assert envelope_error(get({"Authorization": "Bearer "})) == (401, "authentication_failed")


def test_a_revoked_key_is_refused(make_api_key):
    key, raw = make_api_key()
    APIKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    response = get({"X-API-Key": raw})
    assert envelope_error(response) == (401, "authentication_failed")
    assert "revoked" in response.json()["message"]


def test_an_expired_key_is_refused(make_api_key):
    _, raw = make_api_key(expires_at=timezone.now() - timedelta(seconds=1))
    response = get({"X-API-Key": raw})
    assert envelope_error(response) == (401, "authentication_failed")
    assert "expired" in response.json()["message"]


def test_a_key_not_yet_expired_works(make_api_key):
    _, raw = make_api_key(expires_at=timezone.now() + timedelta(days=1))
    assert get({"X-API-Key": raw}).status_code == 200


def test_a_key_of_a_deactivated_user_is_refused(make_api_key, staff_user):
    _, raw = make_api_key()
    staff_user.is_active = False
    staff_user.save()
    assert envelope_error(get({"X-API-Key": raw})) == (401, "authentication_failed")


def test_only_the_prefix_and_a_sha256_digest_are_stored(make_api_key):
    key, raw = make_api_key()
    assert raw.startswith(f"ck_{key.prefix}_")
    assert key.digest == key_digest(raw)
    assert raw not in str(APIKey.objects.values().get(pk=key.pk))


def test_last_used_is_written_at_most_once_a_minute(make_api_key, django_capture_on_commit_callbacks):
    key, raw = make_api_key()

    def use():  # the stamp is written once the request's transaction (if any) commits
        with django_capture_on_commit_callbacks(execute=True):
            get({"X-API-Key": raw})

    use()
    first = APIKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    use()
    assert APIKey.objects.get(pk=key.pk).last_used_at == first
    APIKey.objects.filter(pk=key.pk).update(last_used_at=first - timedelta(minutes=2))
    use()
    assert APIKey.objects.get(pk=key.pk).last_used_at > first


@pytest.mark.parametrize(
    "method, path, scope, expected",
    [
        ("get", "/api/v1/contacts", "read", 200),
        ("get", "/api/v1/contacts/{id}", "read", 200),
        ("get", "/api/v1/clients", "read", 200),
        ("get", "/api/v1/roles", "read", 200),
        ("post", "/api/v1/contacts", "read", 403),
        ("put", "/api/v1/contacts/{id}", "read", 403),
        ("patch", "/api/v1/contacts/{id}", "read", 403),
        ("delete", "/api/v1/contacts/{id}", "read", 403),
        ("post", "/api/v1/contacts/{id}/set-account-owner", "read", 403),
        ("patch", "/api/v1/contacts/{id}", "write", 200),
        ("delete", "/api/v1/contacts/{id}", "write", 200),
        ("post", "/api/v1/contacts/{id}/set-account-owner", "write", 200),
    ],
)
def test_scopes(make_api_key, method, path, scope, expected):
    contact = ContactFactory()
    _, raw = make_api_key(scope)
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=raw)
    response = getattr(client, method)(path.format(id=contact.pk), {}, format="json")
    assert response.status_code == expected
    if expected == 403:
        assert envelope_error(response) == (403, "permission_denied")
        contact.refresh_from_db()
        assert contact.status == "active" and not contact.is_account_owner


@override_settings(API_AUTH_FAILURE_LIMIT="3/min")
def test_failed_authentication_is_limited_per_address(write_key):
    bad = {"Authorization": "Bearer ck_nope"}
    for _ in range(3):
        assert get(bad).status_code == 401
    response = get(bad)
    assert envelope_error(response) == (429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    # Every request from that address is refused now, even with a good key...
    assert get({"Authorization": f"Bearer {write_key}"}).status_code == 429
    # ...but not from another address.
    other = APIClient(REMOTE_ADDR="10.9.8.7").get(URL, headers={"Authorization": f"Bearer {write_key}"})
    assert other.status_code == 200


@override_settings(API_RATE_LIMIT="3/min")
def test_each_key_is_rate_limited(make_api_key):
    _, first_key = make_api_key()
    _, second_key = make_api_key()
    for _ in range(3):
        assert get({"X-API-Key": first_key}).status_code == 200
    response = get({"X-API-Key": first_key})
    assert envelope_error(response) == (429, "throttled")
    assert response["Retry-After"].isdigit()
    assert get({"X-API-Key": second_key}).status_code == 200


def redis_cache_settings():
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }


def redis_is_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_the_rate_limit_is_counted_in_redis_when_configured(make_api_key):
    from django.core.cache import caches

    _, raw = make_api_key()
    with override_settings(CACHES=redis_cache_settings(), API_RATE_LIMIT="2/min"):
        caches["default"].clear()
        try:
            assert get({"X-API-Key": raw}).status_code == 200
            assert get({"X-API-Key": raw}).status_code == 200
            assert get({"X-API-Key": raw}).status_code == 429
            assert any(key.startswith(b":1:throttle_key_") for key in caches["default"]._cache.get_client().keys("*"))
        finally:
            caches["default"].clear()


@pytest.mark.skipif(not redis_is_up(), reason="no Redis on 127.0.0.1:6379")
def test_a_redis_rate_limit_window_expires_with_its_period(make_api_key):
    from django.core.cache import caches

    _, raw = make_api_key()
    with override_settings(CACHES=redis_cache_settings(), API_RATE_LIMIT="5/min"):
        cache = caches["default"]
        cache.clear()
        try:
            for _ in range(3):
                get({"X-API-Key": raw})
            client = cache._cache.get_client()
            [key] = client.keys(":1:throttle_key_*")
            assert cache.get(key.decode().removeprefix(":1:")) == 3
            assert 0 < client.ttl(key) <= 61
        finally:
            cache.clear()


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    },
    API_RATE_LIMIT="1/min",
)
def test_a_cache_outage_pauses_the_limits_instead_of_failing_requests(write_key):
    for _ in range(3):
        assert get({"X-API-Key": write_key}).status_code == 200


@pytest.fixture
def frozen_redis(tmp_path):
    """A Redis server of our own, frozen (SIGSTOP) as a hung host is: it accepts
    connections and never answers. Thawed and stopped at the end."""
    import shutil
    import signal
    import socket
    import subprocess
    import time

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        settings = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                "LOCATION": f"redis://127.0.0.1:{port}/0",
                                "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1}}}
        yield server, settings
    finally:
        server.send_signal(signal.SIGCONT)
        server.terminate()
        server.wait(timeout=10)


def test_a_hung_redis_opens_the_breaker_and_limits_resume_once_it_answers(frozen_redis, write_key, settings):
    import signal
    import time

    from contacts_api.api.throttling import breaker

    server, caches = frozen_redis
    settings.CACHES, settings.API_RATE_LIMIT, settings.CACHE_BACKOFF_SECONDS = caches, "2/min", 0.5
    server.send_signal(signal.SIGSTOP)
    for _ in range(4):  # over the limit, but the limits are paused: nothing is refused
        assert get({"X-API-Key": write_key}).status_code == 200
    assert breaker.open()
    server.send_signal(signal.SIGCONT)
    time.sleep(0.6)  # the back-off is over: the next request asks Redis again
    statuses = [get({"X-API-Key": write_key}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert not breaker.open()
