"""export_contacts and the export/import round trip."""

import json

import pytest

from clients.tests.factories import ClientFactory
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import run_command

pytestmark = pytest.mark.django_db


def test_it_exports_the_import_columns_in_id_order(tmp_path):
    first = ContactFactory(phone="+1 555", job_position="CTO", twitter="@a")
    ContactFactory(deleted=True)
    path = tmp_path / "out.csv"
    code, out, _ = run_command("export_contacts", str(path))
    assert code == 0
    lines = path.read_text().splitlines()
    assert lines[0] == (
        "first_name,last_name,email,client_id,phone,position,status,linkedin,twitter,facebook,instagram,skype,version"
    )
    assert lines[1] == f"{first.first_name},{first.last_name},{first.email},{first.client_id},'+1 555,CTO,active,,'@a,,,,1"
    assert len(lines) == 2
    assert "Exported 1 rows" in out


def test_it_applies_the_api_filters(tmp_path):
    mine = ContactFactory(first_name="Ada", status="inactive")
    ContactFactory(client=mine.client)
    ContactFactory(first_name="Ada")
    code, out, _ = run_command(
        "export_contacts", "--format", "jsonl", "--status", "inactive", "--client-id", str(mine.client_id),
        "--search", "ada",
    )
    assert code == 0
    assert [json.loads(line)["email"] for line in out.splitlines()] == [mine.email]


def test_a_bad_filter_is_bad_usage():
    code, _, err = run_command("export_contacts", "--status", "gone")
    assert code == 2
    assert "--status" in err


@pytest.mark.parametrize("extension", ["csv", "jsonl"])
def test_an_export_reimports_with_no_change(tmp_path, extension):
    client = ClientFactory()
    ContactFactory(client=client, phone="+44 20 7946 0000", job_position="CTO", linkedin="ada", status="inactive")
    ContactFactory(client=client, first_name="Zoë", last_name="Ünal", email="zoe@example.com")
    path = tmp_path / f"contacts.{extension}"
    run_command("export_contacts", str(path))
    before = list(Contact.objects.order_by("id").values())
    code, out, _ = run_command("import_contacts", str(path), "--update")
    assert code == 0
    assert "created: 0, updated: 0, unchanged: 2, skipped: 0, failed: 0" in out
    assert list(Contact.objects.order_by("id").values()) == before


def test_an_export_to_a_reader_that_goes_away_stops_quietly(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the subprocess needs a database file of its own: SQLite")
    database = tmp_path / "db.sqlite3"
    env = {**__import__("os").environ, "DATABASE_URL": f"sqlite:///{database}"}
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env, check=True)
    # More rows than a pipe holds, so that the writer meets the closed pipe.
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--contacts", "700"], cwd=root, env=env,
                   check=True, capture_output=True)
    done = subprocess.run(
        f"{sys.executable} manage.py export_contacts | head -1", shell=True, cwd=root, env=env,
        capture_output=True, text=True, executable="/bin/bash",
    )
    assert done.stdout.startswith("first_name,last_name,email")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
