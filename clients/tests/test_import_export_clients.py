"""import_clients and export_clients."""

import pytest

from clients.models import Client
from clients.tests.factories import ClientFactory
from contacts_api.testing import run_command, write_file

pytestmark = pytest.mark.django_db
HEADER = "company_name,email,phone,website,status\n"


def write(tmp_path, text, name="clients.csv"):
    return write_file(tmp_path, text, name)


def test_it_imports_clients(tmp_path):
    code, out, _ = run_command(
        "import_clients", write(tmp_path, HEADER + "Analytical Engines Ltd,office@engines.example,+44 20,https://engines.example,active\n")
    )
    assert code == 0
    client = Client.objects.get()
    assert (client.company_name, client.website, client.status) == (
        "Analytical Engines Ltd", "https://engines.example", "active",
    )
    assert "created: 1" in out


def test_bad_rows_fail_by_line(tmp_path):
    text = HEADER + (
        "Good Ltd,,,,\n"
        ",a@b.example,,,\n"
        "Bad Mail,nope,,,\n"
        "Bad Web,,,not a url,\n"
        "Bad Status,,,,closed\n"
        "Good Ltd,,,,\n"
    )
    code, _, err = run_command("import_clients", write(tmp_path, text))
    assert code == 1
    assert err.splitlines() == [
        "line 3: company_name: This field is required.",
        "line 4: email: Enter a valid email address.",
        "line 5: website: Enter a valid URL.",
        'line 6: status: "closed" is not a valid choice.',
        "line 7: company_name: Duplicate of line 2 in this file (the same company name).",
    ]
    assert list(Client.objects.values_list("company_name", flat=True)) == ["Good Ltd"]


def test_existing_clients_are_skipped_or_updated(tmp_path):
    ClientFactory(company_name="Known Ltd", status="active", email="", phone="", website="")
    path = write(tmp_path, HEADER + "Known Ltd,,,,inactive\n")
    assert "skipped: 1" in run_command("import_clients", path)[1]
    assert "updated: 1" in run_command("import_clients", path, "--update")[1]
    assert Client.objects.get().status == "inactive"
    assert "unchanged: 1" in run_command("import_clients", path, "--update")[1]


def test_an_unknown_column_is_bad_usage(tmp_path):
    assert run_command("import_clients", write(tmp_path, "company_name,ceo\nX,Y\n"))[0] == 2


def test_export_reimports_with_no_change(tmp_path):
    ClientFactory(company_name="One Ltd")
    ClientFactory(company_name="Two Ltd", status="inactive")
    path = tmp_path / "clients.jsonl"
    assert run_command("export_clients", str(path))[0] == 0
    code, out, _ = run_command("import_clients", str(path), "--update")
    assert code == 0
    assert "created: 0, updated: 0, unchanged: 2" in out


def test_export_filters_by_search_and_status():
    ClientFactory(company_name="Analytical Engines Ltd")
    ClientFactory(company_name="Difference Works", status="inactive")
    code, out, _ = run_command("export_clients", "--search", "engines", "--status", "active")
    assert code == 0
    assert out.splitlines()[1].startswith("Analytical Engines Ltd,")
    assert len(out.splitlines()) == 2
