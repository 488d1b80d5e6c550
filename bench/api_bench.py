"""The API at a million contacts, as users meet it: P (the project) beside B (plain DRF).

    make bench            # seeds contacts_bench if it is missing, then runs this
    .venv/bin/python bench/api_bench.py [--workers 2] [--duration 10] [--seed 1]

Three modes, each reported on its own:
- cold: every request distinct, asked once. Search terms are drawn from the data itself
  (random contacts' names, email parts and phone digits, so that common names come up
  as often as they are common), plus every sort x order x filter combination.
- mixed: the same kind of distinct reads while PATCHes and creates stream in through the
  API at 20 a second (their latency is reported too).
- warm: a few requests repeated.
P and B are served by gunicorn with the same worker count on the same database; F
(bench/floor.py) runs P's statements for the plain list in a bare Django view. Requests
come from this script's own keep-alive HTTP clients (1 or 16 at once). The database's
pages are read into memory first (pg_prewarm), as on a server that has been running; no
result is cached. It ends with the accuracy of the estimated totals and the EXPLAIN
(ANALYZE) of the hard cases, and writes bench/out/api.json. Loopback only; every phase is
bounded in time.
"""

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
P_PORT, B_PORT, F_PORT = 8101, 8102, 8103


# --- servers -------------------------------------------------------------------------------

def start_gunicorn(port: int, workers: int, threads: int, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [GUNICORN, "contacts_api.wsgi", "-w", str(workers), "--threads", str(threads), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def wait_for(port: int, path: str, headers: dict, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers), timeout=5
            ).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server on port {port} did not answer")


# --- load ----------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else float("nan")


def summary(latencies: list[float], elapsed: float, errors: int, slowest=()) -> dict:
    return {"slowest": sorted(slowest, reverse=True)[:8], "n": len(latencies), "rps": round(len(latencies) / elapsed, 1) if elapsed else 0,
            "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95),
            "p99_ms": percentile(latencies, 0.99), "errors": errors}


def drive(port: int, paths: list[str], headers: dict, *, connections: int, seconds: float,
          responses: dict | None = None) -> dict:
    """Send each path once (in order, shared by `connections` keep-alive clients) until they
    run out or `seconds` pass; latencies in ms. `responses` collects parsed bodies by path."""
    queue = list(reversed(paths))
    lock = threading.Lock()
    latencies: list[float] = []
    timed: list[tuple[float, str]] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok, body = False, b""
            ms = (time.perf_counter() - started) * 1000
            with lock:
                if ok:
                    latencies.append(ms)
                    timed.append((round(ms, 1), path))
                    if responses is not None:
                        responses[path] = json.loads(body)
                else:
                    errors[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(latencies, time.perf_counter() - started, errors[0], timed)


class Writer(threading.Thread):
    """PATCHes and creates through P's API at `rate` a second, alternating, until stopped."""

    def __init__(self, headers: dict, contact_ids: list[int], client_ids: list[int], rate: float = 20):
        super().__init__(daemon=True)
        self.headers = {**headers, "Content-Type": "application/json"}
        self.contact_ids, self.client_ids, self.rate = contact_ids, client_ids, rate
        self.timed: list[tuple[float, float]] = []  # (when it ended, ms)
        self.errors = 0
        self.stopping = threading.Event()
        self.rng = random.Random(99)

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", P_PORT, timeout=30)
        interval, count = 1 / self.rate, 0
        next_at = time.perf_counter()
        while not self.stopping.is_set():
            count += 1
            if count % 2:
                method, path = "PATCH", f"/api/v1/contacts/{self.rng.choice(self.contact_ids)}"
                body = {"position": f"Role {self.rng.randrange(10**6)}"}
            else:
                method, path = "POST", "/api/v1/contacts"
                body = {"first_name": "Stream", "last_name": f"Writer{count}", "clientid": self.rng.choice(self.client_ids),
                        "email": f"stream.{os.getpid()}.{time.time_ns()}@bench.example"}
            started = time.perf_counter()
            try:
                conn.request(method, path, body=json.dumps(body), headers=self.headers)
                response = conn.getresponse()
                response.read()
                ok = response.status in (200, 201)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", P_PORT, timeout=30)
                ok = False
            if ok:
                self.timed.append((time.perf_counter(), (time.perf_counter() - started) * 1000))
            else:
                self.errors += 1
            next_at += interval
            self.stopping.wait(max(0.0, next_at - time.perf_counter()))

    def result(self, start: float, end: float) -> dict:
        """The writes that ended between start and end (perf_counter times)."""
        latencies = [ms for when, ms in self.timed if start <= when <= end]
        return summary(latencies, end - start, self.errors)


# --- what users ask for, drawn from the data ----------------------------------------------

def django_setup(env: dict):
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "contacts_api.settings"
    import django

    django.setup()


def read_pages_into_memory() -> None:
    """Read the contacts' table and indexes once, as a server that has been running has them
    in memory: "cold" here means requests nobody asked before, not a disk just mounted. No
    result is cached by this."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        # Into the OS's cache, then into PostgreSQL's shared buffers as far as they hold.
        cursor.execute(
            "SELECT SUM(pg_prewarm(oid, 'read')), SUM(pg_prewarm(oid, 'buffer')) FROM pg_class WHERE oid IN ("
            " SELECT 'accounts_user'::regclass UNION SELECT 'clients_client'::regclass"
            " UNION SELECT indexrelid FROM pg_index WHERE indrelid = 'accounts_user'::regclass)"
        )
        pages = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        print(f"PostgreSQL's shared_buffers: {cursor.fetchone()[0]}", flush=True)
        cursor.execute("RESET statement_timeout")
    print(f"Read {pages * 8 // 1024:,} MB of table and index pages into memory", flush=True)


def wait_for_idle_database(seconds: float = 90) -> None:
    """Wait until no other statement runs on the database: B's slow queries go on after its
    client gave up on them, and would take P's CPU in the next line."""
    from django.db import connection

    deadline = time.time() + seconds
    with connection.cursor() as cursor:
        while time.time() < deadline:
            cursor.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.2)


def sample_rows(count: int, seed: int) -> list[tuple]:
    """Up to `count` random living contacts; the same ones for the same seed and data."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed / 1000])  # ORDER BY random()
        cursor.execute(
            "SELECT first_name, last_name, email, phone_digits, id, client_id FROM accounts_user "
            "TABLESAMPLE BERNOULLI (1) REPEATABLE (%s) WHERE user_type = 'client' AND deleted_at IS NULL "
            "ORDER BY random() LIMIT %s", [seed, count],
        )
        return cursor.fetchall()


def make_terms(rows: list[tuple], rng: random.Random) -> dict[str, list[str]]:
    """Distinct terms in three kinds, each drawn from a random contact's own values."""
    kinds: dict[str, set[str]] = {"search": set(), "short": set(), "phone": set()}
    for first, last, email, digits, _, _ in rows:
        pick = rng.random()
        if pick < 0.25:
            kinds["search"].add(rng.choice([first, last]).lower())
        elif pick < 0.45:
            value = rng.choice([first, last])
            start = rng.randrange(max(1, len(value) - 3))
            kinds["search"].add(value[start : start + rng.randint(3, 6)].lower())
        elif pick < 0.55:
            kinds["search"].add(f"{first} {last[:rng.randint(3, max(3, len(last)))]}".lower())
        elif pick < 0.65:
            local, _, domain = email.partition("@")
            kinds["search"].add(rng.choice([local.split(".")[0], domain.split(".")[0], local[-6:]]))
        elif pick < 0.68:
            kinds["search"].add("".join(rng.choice("qxzjvkw") for _ in range(rng.randint(4, 7))))  # absent
        elif pick < 0.85:
            kinds["short"].add(rng.choice([first, last, email])[: rng.randint(1, 2)].lower())
        elif digits:
            start = rng.randrange(max(1, len(digits) - 4))
            piece = digits[start : start + rng.randint(3, 7)]
            if len(piece) >= 3:
                kinds["phone"].add(piece if rng.random() < 0.5 else f"{piece[:2]} {piece[2:]}")
    return {kind: sorted(terms, key=lambda _: rng.random()) for kind, terms in kinds.items()}


def list_params(client_ids: list[int], rng: random.Random) -> list[dict]:
    """Every sort x order x filter combination, once each (client_id and page varied)."""
    from contacts.filters import SORTS

    filters = [{}, {"status": "active"}, {"status": "inactive"}, {"status": "deleted"},
               {"client_id": None}, {"account_owner": "yes"}, {"account_owner": "no"}]
    combos = []
    for sort in ("", *SORTS):
        for order in ("asc", "desc"):
            for extra in filters:
                params = {**extra}
                if "client_id" in params:
                    params["client_id"] = rng.choice(client_ids)
                if sort:
                    params["sort"] = sort
                params["order"] = order
                params["page"] = rng.randint(1, 3)
                params["limit"] = rng.choice([25, 100])
                combos.append(params)
    rng.shuffle(combos)
    return combos


def p_path(params: dict) -> str:
    return "/api/v1/contacts?" + urllib.parse.urlencode(params)


def b_path(params: dict) -> str:
    # B knows search, page and limit (DRF's SearchFilter and PageNumberPagination) only.
    return "/baseline/contacts/?" + urllib.parse.urlencode(
        {k: v for k, v in params.items() if k in ("search", "page", "limit")})


# --- the run -------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="contacts_bench")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16, help="gunicorn threads per worker (gthread), as make run")
    parser.add_argument("--duration", type=float, default=10, help="seconds per 16-connection line")
    parser.add_argument("--seed", type=int, default=1, help="a new seed draws new terms")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL",)}
    env.update({"DATABASE_URL": f"{args.postgres}/{args.db}", "REDIS_URL": args.redis,
                "API_RATE_LIMIT": "100000000/min", "API_AUTH_FAILURE_LIMIT": "100000000/min",
                "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)})
    django_setup(env)
    read_pages_into_memory()
    from accounts.services import api_key_create, service_user

    _, key = api_key_create(user=service_user(), name="bench")
    auth = {"Authorization": f"Bearer {key}"}
    rng = random.Random(args.seed)
    rows = sample_rows(4000, args.seed)
    terms = make_terms(rows, rng)
    contact_ids = [row[4] for row in rows]
    client_ids = sorted({row[5] for row in rows if row[5]})
    lists = list_params(client_ids, rng)
    print(f"Drawn: {len(terms['search'])} search terms, {len(terms['short'])} short words, "
          f"{len(terms['phone'])} phone fragments, {len(lists)} list combinations", flush=True)

    def searches(kind, start, count):
        return [{"search": t} for t in terms[kind][start : start + count]]

    # Cold (quiet) and mixed (under writes) use disjoint halves, so nothing is asked twice.
    n_search, n_short, n_phone = (len(terms[k]) // 2 for k in ("search", "short", "phone"))
    cold = {"search": searches("search", 0, n_search), "short": searches("short", 0, n_short),
            "phone": searches("phone", 0, n_phone), "lists": lists}
    mixed = {"search": searches("search", n_search, n_search), "short": searches("short", n_short, n_short),
             "phone": searches("phone", n_phone, n_phone),
             "lists": list_params(client_ids, random.Random(args.seed + 1))}
    results: dict = {"workers": args.workers, "threads": args.threads, "terms": {k: len(v) for k, v in terms.items()}}
    responses: dict = {}
    servers = {
        "P": start_gunicorn(P_PORT, args.workers, args.threads, env),
        "B": start_gunicorn(B_PORT, args.workers, args.threads, {**env, "DJANGO_SETTINGS_MODULE": "bench.baseline_settings"}),
        "F": start_gunicorn(F_PORT, args.workers, args.threads, {**env, "DJANGO_SETTINGS_MODULE": "bench.floor_settings"}),
    }
    try:
        wait_for(P_PORT, "/api/v1/contacts?limit=1", auth)
        wait_for(B_PORT, "/baseline/contacts/?limit=1", {})
        wait_for(F_PORT, "/floor/contacts", auth)

        def reads(mode: str, sets: dict):
            for kind, params in sets.items():
                print(f"  {mode}: {kind} ({len(params)} distinct), P then B ...", flush=True)
                results[f"{mode} {kind} P"] = drive(P_PORT, [p_path(p) for p in params], auth, connections=1,
                                                    seconds=120, responses=responses)
                # B takes seconds for some searches: it gets the first of the same requests.
                results[f"{mode} {kind} B"] = drive(B_PORT, [b_path(p) for p in params], {}, connections=1, seconds=20)
                wait_for_idle_database()

        def plain_lists(mode: str):
            results[f"{mode} plain list limit=100 P"] = drive(P_PORT, ["/api/v1/contacts?limit=100"] * 300, auth,
                                                              connections=1, seconds=15)
            results[f"{mode} plain list limit=100 F"] = drive(F_PORT, ["/floor/contacts"] * 300, auth,
                                                              connections=1, seconds=15)

        def throughput(mode: str, seed: int):
            # Distinct lists and searches for 16 clients: more terms than a run can use up.
            local = random.Random(seed)
            more = make_terms(sample_rows(12000, seed), local)
            pool = [{"search": t} for t in more["search"] + more["phone"]] + list_params(client_ids, local) * 3
            local.shuffle(pool)
            window[0] = time.perf_counter()
            results[f"{mode} lists and searches, 16 conn P"] = drive(
                P_PORT, [p_path(p) for p in pool], auth, connections=16, seconds=args.duration)
            window[1] = time.perf_counter()
            results[f"{mode} lists and searches, 16 conn B"] = drive(
                B_PORT, [b_path(p) for p in pool], {}, connections=16, seconds=args.duration)
            wait_for_idle_database()

        window = [0.0, 0.0]  # when P's 16-connection reads ran
        print("Cold: every request distinct, no writes", flush=True)
        reads("cold", cold)
        plain_lists("cold")
        throughput("cold", args.seed + 10)

        print("Mixed: distinct requests while PATCHes and creates stream in at 20/s", flush=True)
        writer = Writer(auth, contact_ids, client_ids)
        writer.start()
        started = time.perf_counter()
        reads("mixed", mixed)
        plain_lists("mixed")
        throughput("mixed", args.seed + 20)
        writer.stopping.set()
        writer.join()
        results["mixed writes (PATCH and POST at 20/s) P"] = writer.result(started, time.perf_counter())
        results["mixed writes during P's 16-conn reads P"] = writer.result(*window)

        print("Warm: the same requests repeated", flush=True)
        warm = [p_path(p) for p in cold["search"][:12]] * 25
        results["warm search (12 terms repeated) P"] = drive(P_PORT, warm, auth, connections=1, seconds=30)
        results["warm search (12 terms repeated) B"] = drive(
            B_PORT, [b_path(p) for p in cold["search"][:12]] * 3, {}, connections=1, seconds=20)
        wait_for_idle_database()
        results["warm plain list, 16 conn P"] = drive(P_PORT, ["/api/v1/contacts?limit=100"] * 100000, auth,
                                                      connections=16, seconds=args.duration)
        results["warm plain list, 16 conn B"] = drive(B_PORT, ["/baseline/contacts/?limit=100"] * 100000, {},
                                                      connections=16, seconds=args.duration)
        wait_for_idle_database()

        print("Keyset: after= near the first row and near the millionth", flush=True)
        from contacts.models import Contact

        top = Contact.objects.order_by("-id").values_list("id", flat=True).first()
        low = Contact.objects.order_by("id").values_list("id", flat=True).first()
        results["after= first rows P"] = drive(
            P_PORT, [f"/api/v1/contacts?limit=100&after={low + i * 7}" for i in range(100)], auth, connections=1, seconds=30)
        results["after= millionth row P"] = drive(
            P_PORT, [f"/api/v1/contacts?limit=100&after={top - 2000 - i * 7}" for i in range(100)], auth,
            connections=1, seconds=30)
    finally:
        for process in servers.values():
            stop(process)

    results["estimates"] = check_estimates(responses)
    results["explain"] = explain_hard_cases(terms)
    report(results)
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "api.json").write_text(json.dumps(results, indent=2))
    print(f"\nfigures written to {out_dir / 'api.json'}")


def check_estimates(responses: dict) -> dict:
    """Every estimated total seen (at most 200 of them) against a count of the same list."""
    from contacts.filters import ContactFilterSet
    from contacts.models import Contact

    errors, worst_paths = [], []
    estimated = [(path, body) for path, body in responses.items()
                 if body.get("meta") and not body["meta"]["pagination"]["total_exact"]]
    for path, body in estimated[:200]:
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(path).query, keep_blank_values=True))
        filterset = ContactFilterSet(params, Contact.objects.all())
        assert filterset.is_valid(), filterset.errors
        true = filterset.qs.count()
        errors.append((body["meta"]["pagination"]["total"] - true) / true * 100)
        worst_paths.append((round(abs(errors[-1]), 1), path, true))
    worst = max(errors, key=abs) if errors else 0.0
    return {"worst": sorted(worst_paths, reverse=True)[:8], "checked": len(errors), "of": len(estimated), "worst_error_pct": round(worst, 1),
            "median_abs_error_pct": round(statistics.median(abs(e) for e in errors), 1) if errors else 0.0}


def explain_hard_cases(terms: dict) -> dict:
    """EXPLAIN (ANALYZE) of the count statement and the page query P runs for hard lists."""
    from django.db import connection

    from contacts.filters import ContactFilterSet
    from contacts.models import Contact
    from contacts.representation import LIST_VALUES
    from contacts_api.api.plans import count_statement, count_total, page_queryset

    cases = [{}, {"status": "deleted", "sort": "email", "order": "desc"}, {"status": "inactive", "sort": "last_name"},
             {"account_owner": "yes", "sort": "updated"}, {"search": terms["search"][0]}, {"search": "smith"},
             {"search": "zzqx"}, {"search": "jo"}, {"search": terms["phone"][0]}]
    plans = {}
    for params in cases:
        filterset = ContactFilterSet(params, Contact.objects.values(*LIST_VALUES))
        assert filterset.is_valid(), filterset.errors
        queryset = filterset.qs
        total, _ = count_total(queryset)
        page_sql, page_params = page_queryset(queryset, total)[:101].query.sql_with_params()
        label = p_path(params)
        plans[label] = []
        with connection.cursor() as cursor:
            for sql, sql_params in (count_statement(queryset), (page_sql, page_params)):
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, sql_params)
                plans[label].append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def report(r: dict) -> None:
    print("\n" + "=" * 104)
    print(f"{'scenario':<56}{'n':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>7}")
    for name, v in r.items():
        if isinstance(v, dict) and "rps" in v:
            print(f"{name:<56}{v['n']:>6}{v['rps']:>9}{v['p50_ms']:>9}{v['p95_ms']:>9}{v['p99_ms']:>9}{v['errors']:>7}")

    def ratio(a, b):
        return round(a / b, 2) if b else float("nan")

    def worst(*names, key="p95_ms"):
        return max(r[n][key] for n in names)

    goals = [
        ("search 3+ chars, cold, p95 ms (quiet / under writes; goal <= 50)",
         f"{r['cold search P']['p95_ms']} / {r['mixed search P']['p95_ms']}",
         worst("cold search P", "mixed search P") <= 50),
        ("words of 1-2 chars, cold, p95 ms (quiet / under writes; goal <= 100)",
         f"{r['cold short P']['p95_ms']} / {r['mixed short P']['p95_ms']}", worst("cold short P", "mixed short P") <= 100),
        ("phone digits, cold, p95 ms (quiet / under writes; goal <= 50)",
         f"{r['cold phone P']['p95_ms']} / {r['mixed phone P']['p95_ms']}", worst("cold phone P", "mixed phone P") <= 50),
        ("sort x order x filters, cold, p95 ms (quiet / under writes; goal <= 50)",
         f"{r['cold lists P']['p95_ms']} / {r['mixed lists P']['p95_ms']}", worst("cold lists P", "mixed lists P") <= 50),
    ]
    for mode in ("cold", "mixed"):
        p, f = r[f"{mode} plain list limit=100 P"]["p50_ms"], r[f"{mode} plain list limit=100 F"]["p50_ms"]
        goals.append((f"plain list limit=100, {mode}: P p50 / F p50 (goal <= 3)", f"{p} / {f} = {ratio(p, f)}",
                      ratio(p, f) <= 3))
    for mode in ("cold", "mixed"):
        p, b = r[f"{mode} lists and searches, 16 conn P"]["rps"], r[f"{mode} lists and searches, 16 conn B"]["rps"]
        goals.append((f"lists and searches at 16 conn, {mode}: P/B throughput (goal >= 10)", f"{p} / {b} = {ratio(p, b)}",
                      ratio(p, b) >= 10))
    writes = r["mixed writes during P's 16-conn reads P"]
    goals.append(("PATCH and POST under P's 16-connection reads, p95 ms (goal <= 50)", writes["p95_ms"],
                  writes["p95_ms"] <= 50))
    est = r["estimates"]
    goals.append((f"estimated totals: worst error of {est['checked']} checked, % (goal within 20)",
                  f"{est['worst_error_pct']} (median {est['median_abs_error_pct']})", abs(est["worst_error_pct"]) <= 20))
    far, near = r["after= millionth row P"]["p50_ms"], r["after= first rows P"]["p50_ms"]
    goals.append(("after= at the millionth row / first rows, p50 (goal <= 2)", f"{far} / {near} = {ratio(far, near)}",
                  ratio(far, near) <= 2))
    print("\nGoals:")
    for label, value, met in goals:
        print(f"  {label:<76} {value!s:<22} {'met' if met else 'NOT MET'}")
    r["goals"] = {label: {"value": value, "met": met} for label, value, met in goals}
    print("\nEXPLAIN (ANALYZE) of the statements P runs for the hard cases (after the key lookup):")
    for path, plans in r["explain"].items():
        print(f"\n-- {path}")
        for plan in plans:
            print("   " + plan.replace("\n", "\n   "))


if __name__ == "__main__":
    main()
