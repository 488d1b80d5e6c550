"""Input that used to be a 500 or silently accepted (issue: hardening)."""

import pytest

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import envelope_error

pytestmark = pytest.mark.django_db
URL = "/api/v1/contacts"


def post_raw(api, body: bytes | str, content_type="application/json"):
    return api.generic("POST", URL, body, content_type=content_type)


def test_a_body_nested_hundreds_deep_is_a_400(api):
    response = post_raw(api, "[" * 5000 + "]" * 5000)
    assert envelope_error(response) == (400, "bad_request")


def test_a_key_twice_in_one_object_is_a_400(api, company):
    body = f'{{"first_name": "A", "first_name": "B", "last_name": "L", "email": "a@example.com", "clientid": {company.pk}}}'
    response = post_raw(api, body)
    assert envelope_error(response) == (400, "bad_request")
    assert "first_name" in response.json()["message"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("content_type", ["*/*", "application/*", "*/json"])
def test_a_wildcard_content_type_is_a_415(api, content_type):
    assert envelope_error(post_raw(api, "{}", content_type)) == (415, "unsupported_media_type")


def test_more_fields_than_allowed_in_a_query_string_is_a_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api.get(URL + "?" + "&".join(f"a{i}=1" for i in range(20)))
    assert envelope_error(response) == (400, "bad_request")


def contact_body(company, **fields):
    return {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "clientid": company.pk, **fields}


@pytest.mark.parametrize("value", ["Ada\x1b[31m", "Ada\x01", "Ada\nLovelace", "Ada\u202eecalevoL"])
def test_control_characters_and_direction_marks_in_a_name_are_a_422(api, company, value):
    response = api.post(URL, contact_body(company, first_name=value), format="json")
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == ["first_name"]


def test_a_direction_mark_in_a_social_handle_is_a_422_on_social(api, company):
    response = api.post(URL, contact_body(company, social={"twitter": "@ada\u202e"}), format="json")
    assert list(response.json()["errors"]) == ["social"]


@pytest.mark.parametrize("value", ["1.0", "１", "١", 1.0])
def test_a_clientid_not_written_in_ascii_digits_is_a_422(api, company, value):
    response = api.post(URL, contact_body(company, clientid=value), format="json")
    assert envelope_error(response) == (422, "validation_failed")
    assert list(response.json()["errors"]) == ["clientid"]
    assert not Contact.objects.exists()


def test_an_import_row_with_a_control_character_fails_its_line(tmp_path, company):
    from contacts_api.testing import run_command, write_file

    path = write_file(tmp_path, f"first_name,last_name,email,client_id\nA\x1bB,L,a@example.com,{company.pk}\n", "c.csv")
    code, _, err = run_command("import_contacts", path)
    assert code == 1 and "line 2: first_name: Control characters" in err


def test_control_characters_in_a_path_are_escaped_in_the_log(api, caplog):
    with caplog.at_level("INFO", logger="contacts_api.requests"):
        api.get("/api/v1/contacts/1%0aFAKE%20200%1b[0m")
    [line] = [r.getMessage() for r in caplog.records if r.name == "contacts_api.requests"]
    assert "\n" not in line and "\x1b" not in line and "\\x0a" in line


def test_a_set_password_token_is_masked_in_the_log(client, caplog):
    with caplog.at_level("INFO", logger="contacts_api.requests"):
        client.get("/accounts/reset/MQ/abc123-secret/")
    [line] = [r.getMessage() for r in caplog.records if r.name == "contacts_api.requests"]
    assert "abc123-secret" not in line and "/accounts/reset/MQ/********/" in line


def test_an_export_neutralizes_cells_that_start_like_formulas_and_reimports_them(tmp_path, company):
    from contacts.tests.factories import ContactFactory
    from contacts_api.testing import run_command

    ContactFactory(first_name="=cmd|' /C calc'!A0", last_name="@SUM(1)", email="f@example.com", phone="+44 20", client=company)
    out = tmp_path / "out.csv"
    run_command("export_contacts", str(out))
    row = out.read_text().splitlines()[1]
    assert row.startswith("'=cmd") and ",'@SUM(1)," in row and ",'+44 20," in row
    code, stdout, _ = run_command("import_contacts", str(out), "--update")
    assert code == 0 and "unchanged: 1" in stdout


def test_a_bad_host_is_a_400_in_the_envelope(api):
    response = api.get("/api/v1/contacts", HTTP_HOST="evil.example")
    assert envelope_error(response) == (400, "bad_request")
    assert "evil.example" not in response.json()["message"]


def test_a_bad_host_outside_the_api_is_djangos_page(client):
    assert client.get("/admin/", HTTP_HOST="evil.example").status_code == 400


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/admin/login/", "/api/v1/roles"])
def test_pages_carry_a_content_security_policy_and_security_headers(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self';" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_swagger_ui_has_no_inline_script(client):
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page.replace(" ", "")
    assert client.get("/api/docs/?script=")["Content-Type"].startswith("application/javascript")


@pytest.mark.parametrize("body", [b"first_name=%FF%FE&last_name=x", b"first_name=\xff\xfe", b"%FF=x"])
def test_form_bytes_that_are_not_utf8_are_a_400(api, body):
    contact = ContactFactory()
    response = api.generic("PATCH", f"/api/v1/contacts/{contact.pk}", body, content_type="application/x-www-form-urlencoded")
    assert envelope_error(response) == (400, "bad_request")
    assert Contact.objects.get(pk=contact.pk).first_name == contact.first_name


def test_a_utf8_form_is_read(api):
    contact = ContactFactory()
    response = api.generic("PATCH", f"/api/v1/contacts/{contact.pk}", b"first_name=J%C3%BCrgen+K",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.json()["data"]["first_name"] == "Jürgen K"
