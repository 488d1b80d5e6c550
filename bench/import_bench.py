"""Import speed: `import_contacts` against a raw PostgreSQL COPY of the same rows.

    .venv/bin/python bench/import_bench.py [--rows 1000000] [--clients 1000]

Generates a CSV file, then on PostgreSQL (fresh databases, migrated alike, so the table
and its indexes are the same) times, `--pairs` times in turns (import first, then COPY
first: this machine's speed wanders over minutes):
  1. import_contacts FILE            (full validation, batches of 1000)
  2. import_contacts FILE again      (a re-run, first pair only: creates and changes nothing)
  3. psql \\copy of the same rows     (the raw COPY the import is measured against)
and on SQLite:
  4. import_contacts FILE
  5. the rows and events the import wrote, inserted again into a fresh database by
     SQLite itself (INSERT ... SELECT from the import's database, 1000 rows a
     transaction): what writing them costs with no Python at all, the import's ceiling
Prints rows/s, peak memory of the import process and the import/COPY ratio; writes the
figures to bench/out/import.json.
"""

import argparse
import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import contact_rows  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
COPY_COLUMNS = (
    "first_name, last_name, email, client_id, phone, job_position, status, password, "
    "is_superuser, is_staff, is_active, date_joined, user_type, role_id, is_account_owner, "
    "created_at, updated_at"
)


def run(args, env):
    """Run a set-up command; stop the benchmark if it fails."""
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def run_measured(args, env):
    """Like run(), with the child's own peak memory (wait4 rusage)."""
    started = time.perf_counter()
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{stdout[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def summary_counts(stdout: str) -> dict:
    line = [x for x in stdout.splitlines() if x.startswith("created:")][-1]
    return {k: int(v.replace(",", "")) for k, v in re.findall(r"(\w+): ([\d,]+)(?:,|$| )", line) if k != "rows"}


def psql(db_url: str, *commands: str):
    args = ["psql", db_url, "-v", "ON_ERROR_STOP=1", "-q"]
    for command in commands:
        args += ["-c", command]
    subprocess.run(args, check=True, capture_output=True)


def fresh_postgres(server: str, name: str, env: dict, clients_csv: Path) -> str:
    psql(f"{server}/postgres", f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
    url = f"{server}/{name}"
    env = {**env, "DATABASE_URL": url}
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    run([PYTHON, "manage.py", "import_clients", str(clients_csv)], env)
    return url


def write_files(directory: Path, rows: int, clients: int):
    contacts_csv, copy_tsv, clients_csv = directory / "contacts.csv", directory / "contacts.tsv", directory / "clients.csv"
    with open(clients_csv, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["company_name", "email", "phone", "website", "status"])
        for index in range(1, clients + 1):
            writer.writerow([f"Client {index:05d} Ltd", f"office{index}@client.example", "", "", "active"])
    now = "2026-11-30 00:00:00+00"
    with open(contacts_csv, "w", newline="") as f, open(copy_tsv, "w") as tsv:
        writer = csv.DictWriter(f, fieldnames=["first_name", "last_name", "email", "client_id", "phone", "position", "status"])
        writer.writeheader()
        for row in contact_rows(rows, clients):
            writer.writerow(row)
            tsv.write("\t".join([
                row["first_name"], row["last_name"], row["email"], str(row["client_id"]), row["phone"],
                row["position"] or "\\N", row["status"], "!benchmark", "f", "f", "t", now, "client", "1", "f", now, now,
            ]) + "\n")
    return contacts_csv, copy_tsv, clients_csv


def timing(count: int, seconds: float, **extra) -> dict:
    """A run's figures: its seconds and rows/s for `count` rows, and any others."""
    return {"seconds": round(seconds, 2), "rows_per_s": round(count / seconds), **extra}


def postgres_import(args, env, clients_csv, contacts_csv, *, rerun: bool) -> tuple[dict, dict | None]:
    """import_contacts into a fresh database; with `rerun`, the same file again (nothing
    may be created or changed). The figures of each (None for a re-run not made)."""
    url = fresh_postgres(args.postgres, "contacts_bench_import", env, clients_csv)
    command, import_env = [PYTHON, "manage.py", "import_contacts", str(contacts_csv)], {**env, "DATABASE_URL": url}
    seconds, peak_mb, out = run_measured(command, import_env)
    assert summary_counts(out)["created"] == args.rows, out
    first, again = timing(args.rows, seconds, peak_mb=round(peak_mb)), None
    if rerun:
        print("PostgreSQL: import_contacts again (a re-run) ...", flush=True)
        seconds, _, out = run_measured(command, import_env)
        counts = summary_counts(out)
        assert counts["created"] == 0 and counts["updated"] == 0 and counts["skipped"] == args.rows, out
        again = timing(args.rows, seconds, created=0)
    psql(f"{args.postgres}/postgres", "DROP DATABASE IF EXISTS contacts_bench_import")
    return first, again


def postgres_copy(args, env, clients_csv, copy_tsv) -> dict:
    """psql's COPY of the same rows into a fresh database with the same table and indexes."""
    url = fresh_postgres(args.postgres, "contacts_bench_copy", env, clients_csv)
    started = time.perf_counter()
    psql(url, f"\\copy accounts_user ({COPY_COLUMNS}) FROM '{copy_tsv}'")
    seconds = time.perf_counter() - started
    psql(f"{args.postgres}/postgres", "DROP DATABASE IF EXISTS contacts_bench_copy")
    return timing(args.rows, seconds)


def postgres_runs(args, env, results, contacts_csv, copy_tsv, clients_csv):
    """Import and raw COPY, each into a fresh database, `--pairs` times.

    This machine's speed wanders by half over minutes (docs/PERFORMANCE.md, Import), so
    the two are timed next to each other, in turns (import first, then COPY first), and
    the ratio is taken over the pairs' summed times as well as for each pair.
    """
    pairs = []
    for number in range(1, args.pairs + 1):
        pair = {}
        for step in (("import", "copy") if number % 2 else ("copy", "import")):
            if step == "import":
                print(f"PostgreSQL, pair {number}: import_contacts ...", flush=True)
                pair["import"], rerun = postgres_import(args, env, clients_csv, contacts_csv, rerun=number == 1)
                results.setdefault("pg_rerun", rerun)
            else:
                print(f"PostgreSQL, pair {number}: raw COPY of the same rows ...", flush=True)
                pair["copy"] = postgres_copy(args, env, clients_csv, copy_tsv)
        pair["ratio"] = round(pair["copy"]["seconds"] / pair["import"]["seconds"], 2)
        pairs.append(pair)
    results["pg_pairs"] = pairs
    rows = args.rows * len(pairs)
    results["pg_import"] = timing(rows, sum(p["import"]["seconds"] for p in pairs),
                                  peak_mb=max(p["import"]["peak_mb"] for p in pairs))
    results["pg_copy"] = timing(rows, sum(p["copy"]["seconds"] for p in pairs))
    results["pg_ratio"] = round(results["pg_copy"]["seconds"] / results["pg_import"]["seconds"], 2)


def sqlite_raw_insert(source: Path, target: Path, env: dict, clients_csv: Path) -> dict:
    """Insert the contacts and events of `source` into a fresh `target`, 1000 contacts and
    their events a transaction, with the settings' pragmas: SQLite's own time to write
    what the import wrote."""
    target_env = {**env, "DATABASE_URL": f"sqlite:///{target}"}
    run([PYTHON, "manage.py", "migrate", "-v0"], target_env)
    run([PYTHON, "manage.py", "import_clients", str(clients_csv)], target_env)
    db = sqlite3.connect(target, isolation_level=None)
    # The pragmas the import runs with: contacts_api.settings' init_command, and
    # dataio.bulk.prepare_connection's checkpoint interval.
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "wal_autocheckpoint=50000"):
        db.execute(f"PRAGMA {pragma}")
    db.execute("ATTACH DATABASE ? AS source", [str(source)])

    def columns(table):  # stored columns only: generated ones (hidden 2 or 3) are computed
        return ", ".join(f'"{row[1]}"' for row in db.execute(f"PRAGMA table_xinfo({table})") if row[6] in (0, 1))

    users, events = columns("accounts_user"), columns("events_event")
    ids = [row[0] for row in db.execute("SELECT id FROM source.accounts_user WHERE user_type = 'client' ORDER BY id")]
    started = time.perf_counter()
    for index in range(0, len(ids), 1000):
        first, last = ids[index], ids[min(index + 999, len(ids) - 1)]
        db.execute("BEGIN IMMEDIATE")
        db.execute(f"INSERT INTO accounts_user ({users}) SELECT {users} FROM source.accounts_user "
                   "WHERE user_type = 'client' AND id BETWEEN ? AND ?", [first, last])
        db.execute(f"INSERT INTO events_event ({events}) SELECT {events} FROM source.events_event "
                   "WHERE contact_id BETWEEN ? AND ?", [first, last])
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return timing(len(ids), seconds, rows=len(ids))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--sqlite-rows", type=int, default=None, help="rows for the SQLite run (default: --rows)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--pairs", type=int, default=2, help="PostgreSQL import and COPY timed in turns (default 2)")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CACHE_URL")}
    results: dict = {"rows": args.rows, "clients": args.clients, "batch_size": 1000}
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        directory = Path(tmp)
        print(f"Generating {args.rows:,} contacts over {args.clients:,} clients ...", flush=True)
        contacts_csv, copy_tsv, clients_csv = write_files(directory, args.rows, args.clients)
        results["file_mb"] = round(contacts_csv.stat().st_size / 1e6, 1)

        if not args.skip_postgres:
            postgres_runs(args, env, results, contacts_csv, copy_tsv, clients_csv)

        if not args.skip_sqlite:
            sqlite_rows = args.sqlite_rows or args.rows
            print(f"SQLite: import_contacts ({sqlite_rows:,} rows) ...", flush=True)
            sqlite_csv = contacts_csv
            if sqlite_rows != args.rows:
                sqlite_csv = directory / "sqlite.csv"
                with open(contacts_csv) as src, open(sqlite_csv, "w") as dst:
                    for index, line in enumerate(src):
                        if index > sqlite_rows:
                            break
                        dst.write(line)
            sqlite_env = {**env, "DATABASE_URL": f"sqlite:///{directory / 'bench.sqlite3'}"}
            run([PYTHON, "manage.py", "migrate", "-v0"], sqlite_env)
            run([PYTHON, "manage.py", "import_clients", str(clients_csv)], sqlite_env)
            seconds, peak_mb, out = run_measured([PYTHON, "manage.py", "import_contacts", str(sqlite_csv)], sqlite_env)
            assert summary_counts(out)["created"] == sqlite_rows, out
            results["sqlite_import"] = timing(sqlite_rows, seconds, rows=sqlite_rows, peak_mb=round(peak_mb))
            print("SQLite: the same rows and events inserted by SQLite alone ...", flush=True)
            raw = sqlite_raw_insert(directory / "bench.sqlite3", directory / "raw.sqlite3", env, clients_csv)
            results["sqlite_raw_insert"] = raw
            results["sqlite_ratio"] = round(results["sqlite_import"]["rows_per_s"] / raw["rows_per_s"], 2)

    print()
    print(f"{'run':<34}{'rows/s':>12}{'seconds':>10}{'peak MB':>10}")
    if "pg_import" in results:
        for number, pair in enumerate(results["pg_pairs"], 1):
            pg, copy = pair["import"], pair["copy"]
            print(f"{f'PostgreSQL import_contacts ({number})':<34}{pg['rows_per_s']:>12,}{pg['seconds']:>10}{pg['peak_mb']:>10}")
            print(f"{f'PostgreSQL raw COPY (psql) ({number})':<34}{copy['rows_per_s']:>12,}{copy['seconds']:>10}{'':>10}")
        rerun = results["pg_rerun"]
        print(f"{'PostgreSQL re-run (0 created)':<34}{rerun['rows_per_s']:>12,}{rerun['seconds']:>10}{'':>10}")
    if "sqlite_import" in results:
        s = results["sqlite_import"]
        print(f"{'SQLite import_contacts':<34}{s['rows_per_s']:>12,}{s['seconds']:>10}{s['peak_mb']:>10}")
        r = results["sqlite_raw_insert"]
        print(f"{'SQLite raw INSERT (no Python)':<34}{r['rows_per_s']:>12,}{r['seconds']:>10}{'':>10}")
    if "pg_ratio" in results:
        each = ", ".join(str(pair["ratio"]) for pair in results["pg_pairs"])
        print(f"\nimport / COPY on PostgreSQL: {results['pg_ratio']} over the summed times; each pair: {each} "
              "(goal: at least 0.5)")
    if "sqlite_import" in results:
        print(f"SQLite import: {results['sqlite_import']['rows_per_s']:,} rows/s (goal: at least 20,000); "
              f"import / raw INSERT of its rows and events: {results['sqlite_ratio']}")
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "import.json").write_text(json.dumps(results, indent=2))
    print(f"figures written to {out_dir / 'import.json'}")


if __name__ == "__main__":
    main()
