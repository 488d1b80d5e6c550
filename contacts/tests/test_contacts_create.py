"""POST /api/v1/contacts (API.md 3.4), welcome email included."""

import json
import re

import pytest
from django.core import mail
from django.test import override_settings

from accounts.models import Role, User
from accounts.tests.factories import StaffUserFactory
from clients.tests.factories import ClientFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

URL = "/api/v1/contacts"
pytestmark = pytest.mark.django_db


@pytest.fixture
def body(company):
    return {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "clientid": company.pk,
    }


def post(api, data, **kwargs):
    return api.post(URL, data, format="json", **kwargs)


def test_it_creates_a_contact_with_the_default_role_and_no_ownership(api, body, company):
    response = post(api, {**body, "phone": "+44 20 7946 0000", "position": "CTO"})
    assert response.status_code == 201
    payload = response.json()
    assert payload["message"] == "Contact created successfully."
    data = payload["data"]
    contact = Contact.objects.get(pk=data["id"])
    assert response["Location"] == f"http://testserver/api/v1/contacts/{contact.pk}"
    assert data["job_position"] == "CTO"
    assert data["account_owner"] == "no"
    assert data["role"] == {"id": Role.objects.get(name="Client").pk, "name": "Client"}
    assert data["client"] == {"id": company.pk, "company_name": "Analytical Engines Ltd"}
    assert data["status"] == "active"
    assert contact.user_type == User.UserType.CLIENT
    assert not contact.has_usable_password()


def test_it_accepts_a_trailing_slash(api, body):
    assert api.post(URL + "/", body, format="json").status_code == 201


def test_it_accepts_a_form_encoded_body(api, company):
    response = api.post(
        URL,
        "first_name=Ada&last_name=Lovelace&email=ada%40example.com"
        f"&client_id={company.pk}&social%5Btwitter%5D=%40ada",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    assert response.json()["data"]["social"]["twitter"] == "@ada"


def test_client_id_is_an_alias_of_clientid(api, body):
    body["client_id"] = body.pop("clientid")
    assert post(api, body).status_code == 201


def test_it_keeps_the_email_as_given_but_lowercases_the_domain(api, body):
    body["email"] = "Ada.Lovelace@Example.COM"
    assert post(api, body).json()["data"]["email"] == "Ada.Lovelace@example.com"


def test_names_are_trimmed(api, body):
    data = post(api, {**body, "first_name": "  Ada ", "last_name": " Lovelace  "}).json()["data"]
    assert (data["first_name"], data["last_name"], data["name"]) == ("Ada", "Lovelace", "Ada Lovelace")


@pytest.mark.parametrize("existing", ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@example.com"])
def test_a_duplicate_email_in_any_case_is_a_422(api, body, existing):
    ContactFactory(email=existing)
    response = post(api, body)
    assert envelope_error(response) == (422, "validation_failed")
    assert response.json()["errors"] == {"email": ["A user with this email already exists."]}


def test_a_staff_users_email_is_taken_too(api, body):
    StaffUserFactory(email="ada@example.com")
    assert post(api, body).status_code == 422


def test_a_soft_deleted_contacts_email_is_free(api, body):
    ContactFactory(email="ada@example.com", deleted=True)
    assert post(api, body).status_code == 201


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "clientid"])
def test_required_fields_are_required(api, body, field):
    del body[field]
    response = post(api, body)
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    "field, value",
    [
        ("first_name", ""),
        ("first_name", "   "),
        ("first_name", "x" * 101),
        ("last_name", "x" * 101),
        ("email", "not-an-email"),
        ("email", "a" * 250 + "@example.com"),
        ("clientid", 987654),
        ("clientid", "abc"),
        ("clientid", 2**80),
        ("phone", "+44 (20) 7946-0000 ext"),
        ("phone", "1" * 31),
        ("position", "x" * 101),
        ("status", "deleted"),
        ("status", "archived"),
        ("social", {"myspace": "tom"}),
        ("social", {"twitter": "x" * 101}),
        ("social", {"twitter": 5}),
        ("social", "twitter"),
        ("send_email", "true"),
        ("first_name", "nul\x00"),
    ],
)
def test_an_invalid_field_is_a_422_naming_it(api, body, field, value):
    response = post(api, {**body, field: value})
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == [field]
    assert not Contact.objects.exists()


def test_a_valid_phone_may_use_digits_spaces_and_plus_dash_parens_dots(api, body):
    response = post(api, {**body, "phone": "+1 (555) 010-0199.2"})
    assert response.json()["data"]["phone"] == "+1 (555) 010-0199.2"


def test_read_only_fields_in_the_body_are_ignored(api, body, company):
    other = ClientFactory()
    response = post(
        api,
        {
            **body,
            "id": 999999,
            "name": "Mallory",
            "account_owner": "yes",
            "role": {"id": 1, "name": "Staff"},
            "client": {"id": other.pk},
            "dates": {"created": "2000-01-01T00:00:00Z"},
            "job_position": "Overlord",
            "is_staff": True,
            "user_type": "staff",
        },
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["id"] != 999999
    assert data["name"] == "Ada Lovelace"
    assert data["account_owner"] == "no"
    assert data["role"]["name"] == "Client"
    assert data["client"]["id"] == company.pk
    assert data["job_position"] is None
    assert not data["dates"]["created"].startswith("2000")
    contact = User.objects.get(pk=data["id"])
    assert (contact.is_staff, contact.user_type) == (False, "client")


def test_social_handles_are_stored_and_the_rest_stay_null(api, body):
    data = post(api, {**body, "social": {"linkedin": "ada-l", "skype": None}}).json()["data"]
    assert data["social"] == {
        "linkedin": "ada-l", "twitter": None, "facebook": None, "instagram": None, "skype": None,
    }


def test_malformed_json_is_a_400(api):
    response = api.post(URL, "{bad json", content_type="application/json")
    assert envelope_error(response) == (400, "bad_request")


def test_json_with_a_lone_surrogate_is_a_400(api):
    response = api.post(URL, '{"first_name": "\\ud800"}', content_type="application/json")
    assert envelope_error(response) == (400, "bad_request")


def test_a_json_body_that_is_not_an_object_is_a_422(api):
    response = api.post(URL, "[1, 2]", content_type="application/json")
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == ["non_field_errors"]


def test_an_unsupported_media_type_is_a_415(api):
    response = api.post(URL, "<contact/>", content_type="application/xml")
    assert envelope_error(response) == (415, "unsupported_media_type")


@override_settings(API_MAX_BODY_SIZE=1024)
def test_a_body_over_the_limit_is_a_413_and_creates_nothing(api, body):
    response = api.post(URL, json.dumps({**body, "position": "x" * 2000}), content_type="application/json")
    assert envelope_error(response) == (413, "payload_too_large")
    assert not Contact.objects.exists()


# --- welcome email -----------------------------------------------------------------------


def test_send_email_yes_sends_the_welcome_email_after_commit(
    api, body, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(api, {**body, "send_email": "yes"})
        assert response.status_code == 201
        assert mail.outbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"]
    assert "Ada Lovelace" in message.body
    assert "Analytical Engines Ltd" in message.body
    assert re.search(r"http://127\.0\.0\.1:8000/accounts/reset/[\w-]+/[\w-]+/", message.body)


def test_no_email_is_sent_without_send_email_yes(api, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(api, body)
        post(api, {**body, "email": "b@example.com", "send_email": "no"})
    assert mail.outbox == []


def test_the_link_in_the_welcome_email_sets_a_password_once(
    api, body, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        contact_id = post(api, {**body, "send_email": "yes"}).json()["data"]["id"]
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": "An even longer passphrase 42", "new_password2": "An even longer passphrase 42"},
    )
    assert done.status_code == 302
    assert User.objects.get(pk=contact_id).check_password("An even longer passphrase 42")
    assert client.get(link, follow=True).context["validlink"] is False


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=1,  # nothing listens: the connection is refused
    EMAIL_TIMEOUT=2,
)
def test_a_mail_server_failure_is_logged_and_the_create_stands(
    api, body, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, {**body, "send_email": "yes"})
    assert response.status_code == 201
    assert Contact.objects.filter(pk=response.json()["data"]["id"]).exists()
    assert "could not be sent" in caplog.text
