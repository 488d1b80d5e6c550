"""End to end in a real browser: headless Chromium driven by Playwright against a live server."""

import os
import shutil

import pytest

from accounts.models import APIKey, User
from contacts.models import Contact
from contacts.tests.factories import ContactFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]

# The machine has no network beyond loopback: keep Chromium from calling home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def test_staff_search_set_owner_and_create_a_key_in_the_browser(live_server, tmp_path, monkeypatch):
    User.objects.create_superuser(username="boss", email="boss@example.com", password="A long passphrase 42")
    previous = ContactFactory(first_name="Bob", last_name="Babbage", is_account_owner=True)
    ada = ContactFactory(first_name="Ada", last_name="Lovelace", client=previous.client)
    # Playwright's sync API runs an event loop in this thread; the data is set up above
    # and read back only after the browser is closed.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)

        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", "boss")
        page.fill("#id_password", "A long passphrase 42")
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")

        page.goto(f"{live_server.url}/admin/contacts/contact/")
        page.fill("#searchbar", "ada love")
        page.press("#searchbar", "Enter")
        page.wait_for_selector("#result_list")
        rows = page.locator("#result_list tbody tr")
        assert rows.count() == 1
        assert "Lovelace" in rows.first.inner_text()

        page.check(f"input[name=_selected_action][value='{ada.pk}']")
        page.select_option("select[name=action]", "set_account_owner")
        page.click("button[name=index]")
        page.wait_for_selector(".messagelist")
        assert "is now the account owner" in page.inner_text(".messagelist")
        owner_cell = page.locator("#result_list tbody tr").first.locator("td.field-is_account_owner img")
        assert owner_cell.get_attribute("alt") == "True"

        page.goto(f"{live_server.url}/admin/accounts/apikey/add/")
        page.fill("#id_name", "browser key")
        page.select_option("#id_user", label="boss@example.com")
        page.select_option("#id_scope", "read")
        page.click("input[name=_save]")
        raw_key = page.inner_text("#content code")  # shown on this page, once
        assert all(raw_key not in cookie["value"] for cookie in page.context.cookies())
        page.screenshot(path=str(tmp_path / "admin.png"), full_page=True)
        page.goto(f"{live_server.url}/admin/accounts/apikey/")
        assert raw_key not in page.content()
        browser.close()

    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE")
    assert (tmp_path / "admin.png").stat().st_size > 0
    assert Contact.objects.get(pk=ada.pk).is_account_owner
    assert not Contact.objects.get(pk=previous.pk).is_account_owner
    key = APIKey.objects.get(name="browser key")
    assert raw_key.startswith(f"ck_{key.prefix}_")
    assert key.scope == "read"


def _loopback(url: str) -> bool:
    return not url.startswith("http") or url.split("/")[2].rsplit(":", 1)[0] in ("localhost", "127.0.0.1")


@pytest.mark.parametrize(("path", "rendered"), [("/api/docs/", ".swagger-ui .info .title"),
                                                ("/api/redoc/", "[role=search], h1")])
def test_the_docs_render_under_the_csp_and_ask_no_other_host(live_server, monkeypatch, path, rendered):
    """Every request both pages make goes to this host, and the CSP refuses none of them."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    requested, blocked = [], []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        page.on("request", lambda request: requested.append(request.url))
        page.on("requestfailed", lambda request: blocked.append(request.url) if request.failure == "csp" else None)
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector(rendered)
        page.wait_for_load_state("networkidle")
        browser.close()
    assert [url for url in requested if not _loopback(url)] == []
    assert blocked == []
