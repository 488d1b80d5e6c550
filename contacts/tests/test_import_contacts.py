"""import_contacts: every option and every failure, with small files."""

import csv
import json

import pytest
from django.core import mail
from django.db import OperationalError

from accounts.models import User
from accounts.tests.factories import StaffUserFactory
from clients.tests.factories import ClientFactory
from contacts import importing, services
from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from contacts_api.testing import run_command, write_file

pytestmark = pytest.mark.django_db
HEADER = "first_name,last_name,email,client_id,phone,position,status\n"


def write(tmp_path, text, name="contacts.csv"):
    return write_file(tmp_path, text, name)


def emails():
    return sorted(Contact.objects.values_list("email", flat=True))


def test_it_imports_a_csv_file(tmp_path, company):
    path = write(tmp_path, HEADER + f"Ada,Lovelace,Ada@Example.com,{company.pk},+44 20 7946 0000,CTO,inactive\n")
    code, out, err = run_command("import_contacts", path)
    assert (code, err) == (0, "")
    contact = Contact.objects.get()
    assert (contact.email, contact.client, contact.phone, contact.job_position, contact.status) == (
        "Ada@example.com", company, "+44 20 7946 0000", "CTO", "inactive",
    )
    assert contact.phone_digits == "442079460000"
    assert (contact.role.name, contact.user_type, contact.has_usable_password()) == ("Client", "client", False)
    assert "created: 1, updated: 0, unchanged: 0, skipped: 0, failed: 0" in out


def test_it_imports_json_lines_and_a_client_by_company_name(tmp_path, company):
    lines = [
        {"first_name": "Ada", "last_name": "L", "email": "ada@example.com", "client": "Analytical Engines Ltd",
         "twitter": "@ada"},
        {"first_name": "Bob", "last_name": "B", "email": "bob@example.com", "client_id": company.pk},
    ]
    path = write(tmp_path, "".join(json.dumps(line) + "\n" for line in lines), name="c.jsonl")
    assert run_command("import_contacts", path)[0] == 0
    assert Contact.objects.get(email="ada@example.com").twitter == "@ada"
    assert Contact.objects.filter(client=company).count() == 2


def test_it_reads_standard_input(company):
    data = (HEADER + f"Ada,L,ada@example.com,{company.pk},,,\n").encode()
    assert run_command("import_contacts", "-", stdin=data)[0] == 0
    assert emails() == ["ada@example.com"]


def test_a_bom_is_ignored(tmp_path, company):
    path = write(tmp_path, "\ufeff" + HEADER + f"Ada,L,ada@example.com,{company.pk},,,\n")
    assert run_command("import_contacts", path)[0] == 0
    assert emails() == ["ada@example.com"]


def test_an_empty_file_is_bad_usage(tmp_path):
    code, _, err = run_command("import_contacts", write(tmp_path, ""))
    assert code == 2
    assert "empty" in err


def test_a_header_only_file_imports_nothing(tmp_path):
    code, out, _ = run_command("import_contacts", write(tmp_path, HEADER))
    assert code == 0
    assert "created: 0" in out


def test_an_unknown_column_stops_before_anything_is_written(tmp_path, company):
    path = write(tmp_path, "first_name,last_name,email,client_id,shoe_size\n" f"Ada,L,a@x.example,{company.pk},9\n")
    code, _, err = run_command("import_contacts", path)
    assert code == 2
    assert "unknown column(s): shoe_size" in err
    assert not Contact.objects.exists()


def test_a_missing_required_column_is_bad_usage(tmp_path):
    code, _, err = run_command("import_contacts", write(tmp_path, "first_name,last_name,email\nA,B,a@x.example\n"))
    assert (code, "missing column: client or client_id" in err) == (2, True)


@pytest.mark.parametrize(
    "args, message",
    [(["/nonexistent/file.csv"], "cannot read"), (["file.txt"], "cannot tell the format")],
)
def test_an_unreadable_file_or_unknown_format_is_bad_usage(args, message):
    code, _, err = run_command("import_contacts", *args)
    assert code == 2
    assert message in err


def test_bad_rows_are_reported_in_line_order_and_the_good_ones_land(tmp_path, company):
    ClientFactory(company_name="Twins")
    ClientFactory(company_name="Twins")
    text = (
        "first_name,last_name,email,client_id,client,phone,position\n"
        f"Ada,L,ada@example.com,{company.pk},,,\n"
        f"Bad,Phone,bp@example.com,{company.pk},,call me,\n"
        f"Long,{'x' * 101},long@example.com,{company.pk},,,\n"
        f"No,Client,nc@example.com,987654,,,\n"
        "Two,Twins,tt@example.com,,Twins,,\n"
        "No,Name,nn@example.com,,Nobody Ltd,,\n"
        f"Not,Email,not-an-email,{company.pk},,,\n"
        f"Dup,In File,ADA@EXAMPLE.COM,{company.pk},,,\n"
        f"Grace,H,grace@example.com,{company.pk},,,\n"
    )
    code, out, err = run_command("import_contacts", write(tmp_path, text))
    assert code == 1
    assert err.splitlines() == [
        "line 3: phone: Enter a phone number using digits, spaces and + - ( ) . only.",
        "line 4: last_name: Ensure this field has no more than 100 characters.",
        "line 5: client_id: Unknown client.",
        "line 6: client: 2 clients have this company name; use client_id.",
        "line 7: client: No client has this company name.",
        "line 8: email: Enter a valid email address.",
        "line 9: email: Duplicate of line 2 in this file (the same email).",
    ]
    assert emails() == ["ada@example.com", "grace@example.com"]
    assert "created: 2, updated: 0, unchanged: 0, skipped: 0, failed: 7" in out


def test_the_errors_file_has_line_field_message_and_the_row(tmp_path, company):
    errors_path = tmp_path / "errors.csv"
    path = write(tmp_path, HEADER + f"Bad,Phone,bp@example.com,{company.pk},call me,,\n")
    run_command("import_contacts", path, "--errors-file", str(errors_path))
    with open(errors_path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["line", "field", "message", "row"]
    assert rows[1][:2] == ["2", "phone"]
    assert json.loads(rows[1][3])["phone"] == "call me"


def test_a_nul_byte_fails_its_line_only(tmp_path, company):
    text = HEADER + f"Ada,L\x00,ada@example.com,{company.pk},,,\n" + f"Bob,B,bob@example.com,{company.pk},,,\n"
    code, _, err = run_command("import_contacts", write(tmp_path, text))
    assert code == 1
    assert err.strip() == "line 2: row: the line holds a NUL byte"
    assert emails() == ["bob@example.com"]


def test_invalid_utf8_fails_its_line_only(tmp_path, company):
    text = HEADER.encode() + f"Ad\xe9,L,ada@example.com,{company.pk},,,\n".encode("latin-1")
    code, _, err = run_command("import_contacts", write(tmp_path, text))
    assert code == 1
    assert "line 2: first_name:" in err


def test_an_email_in_the_database_in_any_case_is_skipped(tmp_path, company):
    ContactFactory(email="ada@example.com", first_name="Old")
    path = write(tmp_path, HEADER + f"Ada,L,ADA@Example.com,{company.pk},,,\n")
    code, out, _ = run_command("import_contacts", path)
    assert code == 0
    assert "skipped: 1" in out
    assert Contact.objects.get().first_name == "Old"


def test_a_staff_email_fails_the_row(tmp_path, company):
    StaffUserFactory(email="boss@example.com")
    code, _, err = run_command("import_contacts", write(tmp_path, HEADER + f"B,B,Boss@example.com,{company.pk},,,\n"))
    assert code == 1
    assert "line 2: email: A user with this email already exists." in err


def test_a_soft_deleted_contacts_email_is_imported_as_new(tmp_path, company):
    ContactFactory(email="ada@example.com", deleted=True)
    assert run_command("import_contacts", write(tmp_path, HEADER + f"Ada,L,ada@example.com,{company.pk},,,\n"))[0] == 0
    assert Contact.objects.alive().filter(email="ada@example.com").count() == 1


def test_update_changes_existing_contacts_but_never_the_account_owner(tmp_path, company):
    other = ClientFactory()
    owner = ContactFactory(email="owner@example.com", client=company, is_account_owner=True, first_name="Old")
    plain = ContactFactory(email="plain@example.com", client=company, job_position="Old")
    same = ContactFactory(email="same@example.com", client=company, first_name="Same", last_name="S")
    text = HEADER + (
        f"New,Name,owner@example.com,{company.pk},,,\n"
        f"Plain,P,plain@example.com,{other.pk},,CTO,inactive\n"
        f"Same,S,same@example.com,{company.pk},,,\n"
        f"Moved,Owner,OWNER@example.com,{other.pk},,,\n"
    )
    code, out, err = run_command("import_contacts", write(tmp_path, text), "--update")
    assert code == 1
    assert "line 5: email: Duplicate of line 2 in this file (the same email)." in err
    owner.refresh_from_db()
    plain.refresh_from_db()
    assert (owner.first_name, owner.is_account_owner, owner.client) == ("New", True, company)
    assert (plain.client, plain.job_position, plain.status) == (other, "CTO", "inactive")
    assert "updated: 2, unchanged: 1" in out
    same.refresh_from_db()
    assert same.first_name == "Same"


def test_update_refuses_to_move_an_account_owner_to_another_client(tmp_path, company):
    other = ClientFactory()
    owner = ContactFactory(email="owner@example.com", client=company, is_account_owner=True)
    code, _, err = run_command(
        "import_contacts", write(tmp_path, HEADER + f"O,W,owner@example.com,{other.pk},,,\n"), "--update"
    )
    assert code == 1
    assert "a bulk write never moves an account owner" in err
    owner.refresh_from_db()
    assert (owner.client, owner.is_account_owner) == (company, True)


def test_a_rerun_creates_no_duplicates(tmp_path, company):
    path = write(tmp_path, HEADER + "".join(f"P{i},L,p{i}@example.com,{company.pk},,,\n" for i in range(5)))
    assert run_command("import_contacts", path, "--batch-size", "2")[0] == 0
    code, out, _ = run_command("import_contacts", path, "--batch-size", "2")
    assert code == 0
    assert "created: 0, updated: 0, unchanged: 0, skipped: 5" in out
    assert Contact.objects.count() == 5


def test_dry_run_validates_everything_and_writes_nothing(tmp_path, company):
    path = write(tmp_path, HEADER + f"Ada,L,ada@example.com,{company.pk},,,\nBad,P,b@example.com,{company.pk},x!,,\n")
    code, out, err = run_command("import_contacts", path, "--dry-run")
    assert code == 1
    assert "line 3: phone" in err
    assert out.strip().endswith("rows/s: " + out.strip().rsplit("rows/s: ", 1)[1])
    assert "dry run, nothing written: created: 1" in out
    assert not Contact.objects.exists()


def test_atomic_writes_nothing_when_a_row_fails(tmp_path, company):
    rows = "".join(f"P{i},L,p{i}@example.com,{company.pk},,,\n" for i in range(4))
    path = write(tmp_path, HEADER + rows + f"Bad,P,bad@example.com,{company.pk},x!,,\n")
    code, out, _ = run_command("import_contacts", path, "--atomic", "--batch-size", "2")
    assert code == 1
    assert "nothing was written" in out
    assert not Contact.objects.exists()


def test_atomic_writes_everything_when_all_rows_are_good(tmp_path, company):
    path = write(tmp_path, HEADER + "".join(f"P{i},L,p{i}@example.com,{company.pk},,,\n" for i in range(4)))
    assert run_command("import_contacts", path, "--atomic", "--batch-size", "2")[0] == 0
    assert Contact.objects.count() == 4


def test_a_database_error_mid_import_rolls_back_only_the_batch_in_progress(tmp_path, company, monkeypatch):
    calls = {"n": 0}
    real_insert = services.contacts_bulk_insert

    def failing_insert(rows, **kwargs):
        calls["n"] += 1
        inserted = real_insert(rows, **kwargs)  # the rows are written...
        if calls["n"] == 2:
            raise OperationalError("server closed the connection")  # ...then the batch fails
        return inserted

    monkeypatch.setattr(services, "contacts_bulk_insert", failing_insert)
    path = write(tmp_path, HEADER + "".join(f"P{i},L,p{i}@example.com,{company.pk},,,\n" for i in range(6)))
    code, out, err = run_command("import_contacts", path, "--batch-size", "2")
    assert code == 1
    assert "database error after line 3" in err
    assert emails() == ["p0@example.com", "p1@example.com"]
    monkeypatch.setattr(services, "contacts_bulk_insert", real_insert)
    assert run_command("import_contacts", path, "--batch-size", "2")[0] == 0
    assert Contact.objects.count() == 6


def test_an_interrupted_import_rolls_back_its_batch_and_a_rerun_finishes(tmp_path, company, monkeypatch):
    real_write = importing.ContactImporter.write_batch
    calls = {"n": 0}

    def interrupted_write(self, rows, report):
        calls["n"] += 1
        failed = real_write(self, rows, report)
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return failed

    monkeypatch.setattr(importing.ContactImporter, "write_batch", interrupted_write)
    path = write(tmp_path, HEADER + "".join(f"P{i},L,p{i}@example.com,{company.pk},,,\n" for i in range(6)))
    code, out, _ = run_command("import_contacts", path, "--batch-size", "2")
    assert code == 130
    assert "interrupted after line 3" in out
    assert "created: 2," in out
    assert Contact.objects.count() == 2
    monkeypatch.setattr(importing.ContactImporter, "write_batch", real_write)
    code, out, _ = run_command("import_contacts", path, "--batch-size", "2")
    assert code == 0
    assert "created: 4, updated: 0, unchanged: 0, skipped: 2" in out
    assert Contact.objects.count() == 6


def test_a_row_the_lookup_missed_is_found_row_by_row(tmp_path, company, monkeypatch):
    ContactFactory(email="taken@example.com")
    monkeypatch.setattr(services, "_locked_by_email", lambda emails, lock: {})
    path = write(tmp_path, HEADER + f"A,L,a@example.com,{company.pk},,,\nT,L,taken@example.com,{company.pk},,,\n")
    code, _, err = run_command("import_contacts", path)
    assert code == 1
    assert "line 3: email: A user with this email already exists." in err
    assert Contact.objects.filter(email="a@example.com").exists()


@pytest.fixture
def email_lookups(monkeypatch):
    """The emails of each lookup of existing users made by the bulk write, in order."""
    calls, original = [], services._locked_by_email

    def spy(emails, **kwargs):
        calls.append(sorted(emails))
        return original(emails, **kwargs)

    monkeypatch.setattr(services, "_locked_by_email", spy)
    return calls


def test_a_load_of_new_rows_writes_each_batch_without_looking_its_emails_up(tmp_path, company, email_lookups):
    path = write(tmp_path, HEADER + "".join(f"P{i},L,p{i}@example.com,{company.pk},,,\n" for i in range(5)))
    code, out, _ = run_command("import_contacts", path, "--batch-size", "2")
    assert (code, email_lookups) == (0, [])
    assert "created: 5, updated: 0, unchanged: 0, skipped: 0" in out


def test_after_a_batch_with_an_existing_row_the_next_batch_looks_its_emails_up_first(tmp_path, company, email_lookups):
    ContactFactory(email="p1@example.com", client=company)
    path = write(tmp_path, HEADER + "".join(f"P{i},L,p{i}@example.com,{company.pk},,,\n" for i in range(6)))
    code, out, _ = run_command("import_contacts", path, "--batch-size", "2")
    # Batch 1 is refused and then read; batch 2 is read first, and is all new; so batch 3
    # goes in at once again.
    assert (code, email_lookups) == (0, [["p0@example.com", "p1@example.com"], ["p2@example.com", "p3@example.com"]])
    assert "created: 5, updated: 0, unchanged: 0, skipped: 1" in out
    assert emails() == [f"p{i}@example.com" for i in range(6)]


def test_send_email_sends_the_welcome_email_to_created_contacts_only(
    tmp_path, company, django_capture_on_commit_callbacks
):
    ContactFactory(email="old@example.com")
    path = write(tmp_path, HEADER + f"New,N,new@example.com,{company.pk},,,\nOld,O,old@example.com,{company.pk},,,\n")
    with django_capture_on_commit_callbacks(execute=True):
        run_command("import_contacts", path, "--send-email")
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_no_email_is_sent_without_send_email(tmp_path, company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_command("import_contacts", write(tmp_path, HEADER + f"New,N,new@example.com,{company.pk},,,\n"))
    assert mail.outbox == []


def test_json_lines_errors_are_per_line(tmp_path, company):
    good = {"first_name": "A", "last_name": "B", "email": "a@example.com", "client_id": company.pk}
    extra = {"first_name": "C", "last_name": "D", "email": "c@example.com", "client_id": company.pk, "shoe": 9}
    nested = {"first_name": {"x": 1}, "last_name": "D", "email": "d@example.com", "client_id": company.pk}
    text = f"{json.dumps(good)}\nnot json\n[1, 2]\n{json.dumps(extra)}\n{json.dumps(nested)}\n"
    code, _, err = run_command("import_contacts", write(tmp_path, text, name="c.jsonl"))
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith("line 2: row: invalid JSON")
    assert lines[1] == "line 3: row: expected a JSON object"
    assert lines[2] == "line 4: row: unknown key(s): shoe"
    assert lines[3] == "line 5: first_name: expected a string, a number or null"
    assert emails() == ["a@example.com"]


def test_a_bad_batch_size_is_bad_usage(tmp_path):
    assert run_command("import_contacts", write(tmp_path, HEADER), "--batch-size", "0")[0] == 2


def test_imported_contacts_are_created_as_the_api_creates_them(tmp_path, company, api):
    run_command("import_contacts", write(tmp_path, HEADER + f"Ada,L,ada@example.com,{company.pk},,,\n"))
    contact = Contact.objects.get()
    data = api.get(f"/api/v1/contacts/{contact.pk}").json()["data"]
    assert (data["role"]["name"], data["account_owner"], data["status"]) == ("Client", "no", "active")
    assert data["dates"]["created"] == data["dates"]["updated"]
    assert User.objects.get(pk=contact.pk).user_type == "client"


def test_a_json_line_that_nests_too_deep_or_holds_a_lone_surrogate_fails_its_line_only(tmp_path, company):
    lines = [
        json.dumps({"first_name": "A", "last_name": "B", "email": "a@example.com", "client_id": company.pk}),
        "[" * 100000,
        '{"first_name": "Lone\\ud800", "last_name": "B", "email": "l@example.com", "client_id": ' + f"{company.pk}}}",
        json.dumps({"first_name": "C", "last_name": "D", "email": "c@example.com", "client_id": company.pk}),
    ]
    code, out, err = run_command("import_contacts", write(tmp_path, "\n".join(lines) + "\n", "c.jsonl"))
    assert code == 1
    assert "line 2: row: invalid JSON: it nests too deep" in err
    assert "line 3: first_name:" in err
    assert emails() == ["a@example.com", "c@example.com"]


def test_skipped_rows_are_named_with_verbose_and_in_the_errors_file(tmp_path, company):
    ContactFactory(email="ada@example.com")
    path = write(tmp_path, HEADER + f"New,N,new@example.com,{company.pk},,,\n" + f"Ada,L,ADA@example.com,{company.pk},,,\n"
                 + f"Bad,Phone,bp@example.com,{company.pk},call me,,\n")
    errors_file = tmp_path / "errors.csv"
    code, out, err = run_command("import_contacts", path, "--verbose", "--errors-file", str(errors_file))
    assert code == 1
    assert err.splitlines() == [
        "line 3: skipped: email: A living user has this email; --update updates it.",
        "line 4: phone: Enter a phone number using digits, spaces and + - ( ) . only.",
    ]
    rows = list(csv.reader(errors_file.open()))
    assert [row[:3] for row in rows[1:]] == [
        ["3", "email", "skipped: A living user has this email; --update updates it."],
        ["4", "phone", "Enter a phone number using digits, spaces and + - ( ) . only."],
    ]
    assert "created: 1, updated: 0, unchanged: 0, skipped: 1, failed: 1" in out


def test_without_verbose_skipped_rows_are_only_counted(tmp_path, company):
    ContactFactory(email="ada@example.com")
    code, out, err = run_command("import_contacts", write(tmp_path, HEADER + f"Ada,L,ada@example.com,{company.pk},,,\n"))
    assert (code, err) == (0, "")
    assert "skipped: 1" in out


@pytest.mark.django_db(transaction=True)
def test_batches_written_two_at_once_are_reported_in_file_order(tmp_path):
    from django.db import connection

    from dataio import bulk

    if connection.vendor != "postgresql":
        pytest.skip("two writers run on PostgreSQL only (dataio.bulk.writers_for)")
    assert bulk.writers_for(atomic=False, dry_run=False) == 2  # outside a test transaction
    company = ClientFactory()
    lines = [f"P{i},L,p{i}@example.com,{company.pk},,,\n" for i in range(9)]
    lines[4] = f"Bad,L,not-an-email,{company.pk},,,\n"  # line 6, in the third batch
    lines[7] = f"Dup,L,p1@example.com,{company.pk},,,\n"  # line 9, in the fourth batch
    path = write(tmp_path, HEADER + "".join(lines))
    code, out, err = run_command("import_contacts", path, "--batch-size", "2")
    assert code == 1
    assert err.splitlines() == [
        "line 6: email: Enter a valid email address.",
        "line 9: email: Duplicate of line 3 in this file (the same email).",
    ]
    assert "created: 7, updated: 0, unchanged: 0, skipped: 0, failed: 2" in out
    assert Contact.objects.count() == 7
