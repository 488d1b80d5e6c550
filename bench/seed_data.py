"""A benchmark database: N contacts over M clients, generated inside PostgreSQL.

    .venv/bin/python bench/seed_data.py [--contacts 1000000] [--clients 1000] [--db contacts_bench]

The rows are made server-side with generate_series (no Python per row): long-tailed first
and last names (a few very common, many rare, as in real data), unique emails, phones in
mixed formats, 2% soft-deleted, 10% inactive, one account owner per client, creation dates
over three years. Migrations run first, so the table has exactly the project's indexes.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import FIRST, LAST  # noqa: E402  (one list of names for every benchmark)


def sql_array(values):
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def seed_sql(contacts: int, clients: int) -> str:
    # power(random(), 3) puts most draws near 0: the first names of each list are common,
    # the last ones rare; one name in ten gets a numeric suffix, making a long tail of
    # unique names.
    return f"""
    INSERT INTO clients_client (company_name, email, phone, website, status, created_at, updated_at)
    SELECT 'Client ' || lpad(i::text, 5, '0') || ' Ltd', 'office' || i || '@client.example', '', '',
           'active', now(), now()
    FROM generate_series(1, {clients}) AS i;

    WITH names AS (
      SELECT i,
        ({sql_array(FIRST)})[1 + floor(power(random(), 3) * {len(FIRST)})::int] ||
          CASE WHEN random() < 0.1 THEN (floor(random() * 1000))::text ELSE '' END AS first_name,
        ({sql_array(LAST)})[1 + floor(power(random(), 3) * {len(LAST)})::int] ||
          CASE WHEN random() < 0.1 THEN (floor(random() * 1000))::text ELSE '' END AS last_name
      FROM generate_series(1, {contacts}) AS i
    )
    INSERT INTO accounts_user (
      password, is_superuser, is_staff, is_active, date_joined, created_at, updated_at, first_name,
      last_name, email, user_type, phone, job_position, status, deleted_at, is_account_owner,
      client_id, role_id
    )
    SELECT '!bench', false, false, true, now(), ts, ts, first_name, last_name,
      lower(first_name || '.' || last_name || '.' || i || '@example' || (i % 97) || '.com'),
      'client',
      CASE i % 3
        WHEN 0 THEN '+44 20 ' || lpad((i % 10000)::text, 4, '0') || ' ' || lpad(((i::bigint * 7919) % 10000)::text, 4, '0')
        WHEN 1 THEN '(' || (200 + i % 800) || ') ' || lpad(((i * 31) % 1000)::text, 3, '0') || '-' || lpad(((i * 7) % 10000)::text, 4, '0')
        ELSE (5550000000 + i)::text
      END,
      (ARRAY['CTO','CEO','Engineer','Accountant','Sales', NULL])[1 + i % 6],
      CASE WHEN i % 50 = 0 THEN 'deleted' WHEN i % 10 = 0 THEN 'inactive' ELSE 'active' END,
      CASE WHEN i % 50 = 0 THEN ts + interval '1 day' END,
      false,
      1 + (i % {clients}),
      (SELECT id FROM accounts_role WHERE name = 'Client')
    FROM (SELECT *, now() - (random() * interval '3 years') AS ts FROM names) AS n;

    UPDATE accounts_user u SET is_account_owner = true
    FROM (SELECT DISTINCT ON (client_id) id FROM accounts_user
          WHERE user_type = 'client' AND deleted_at IS NULL ORDER BY client_id, id) AS owners
    WHERE u.id = owners.id;

    ANALYZE;
    """


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--db", default="contacts_bench")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    args = parser.parse_args()
    admin = f"{args.postgres}/postgres"
    url = f"{args.postgres}/{args.db}"
    subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {args.db}", "-c", f"CREATE DATABASE {args.db}"], check=True)
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", seed_sql(args.contacts, args.clients)], check=True)
    print(f"{args.db}: {args.contacts:,} contacts over {args.clients:,} clients in {time.perf_counter() - started:.0f}s")
    print(f"DATABASE_URL={url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
