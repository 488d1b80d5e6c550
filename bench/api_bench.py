"""The API at a million contacts: P (the project) beside B (plain DRF) and L (its SQL alone).

    make bench            # seeds contacts_bench if it is missing, then runs this
    .venv/bin/python bench/api_bench.py [--duration 10] [--workers 2] [--connections 16]

P and B are served by gunicorn with the same worker count on the same database
(bench/seed_data.py); load comes from wrk (Debian package) with a Lua script that rotates
the paths. L replays the exact SQL statements P issues for a request through psycopg on a
warm connection. Prints one table (absolute figures, P/B and P/L ratios) and the EXPLAIN
plans, and writes everything to bench/out/api.json. Loopback only.

F (bench/floor.py) is also served: a bare Django view that runs P's two statements of a
list request and writes the same JSON, to show what the stack costs before any of P's
rules run; below it, the same bytes from a Django view with no database (D) and from
gunicorn alone (G). bench/breakdown.py then times P's list request phase by phase, in-process.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

# A fixed mix: common, medium, rare and absent terms (3+ characters), short prefixes,
# and phone digits in other punctuation. Frequencies follow bench/seed_data.py.
SEARCH_TERMS = ["smith", "james", "mary", "taylor", "thomas", "lovelace", "babbage", "knuth",
                "ada%20love", "zzqx", "nobody", "example7.com"]
SHORT_TERMS = ["jo", "m", "ad", "li", "z", "ka"]
PHONE_TERMS = ["7919", "(201)%20031", "5550001234"]

LUA = """
local paths = {%(paths)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {%(headers)s})
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT rps=%%f p50=%%d p95=%%d p99=%%d errors=%%d requests=%%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors, summary.requests))
end
"""


def wait_for(url: str, headers: dict, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=5).read()
            return
        except Exception:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not answer")


def start_gunicorn(port: int, workers: int, env: dict, app: str = "contacts_api.wsgi") -> subprocess.Popen:
    return subprocess.Popen(
        [GUNICORN, app, "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def wrk(base: str, paths: list[str], headers: dict, *, connections: int, duration: int) -> dict:
    lua = LUA % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "headers": ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        threads = min(2, connections)
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "-s", script.name, base],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"RESULT rps=([\d.]+) p50=(\d+) p95=(\d+) p99=(\d+) errors=(\d+) requests=(\d+)", out)
    rps, p50, p95, p99, errors, requests = match.groups()
    return {"rps": round(float(rps), 1), "p50_ms": int(p50) / 1000, "p95_ms": int(p95) / 1000,
            "p99_ms": int(p99) / 1000, "errors": int(errors), "requests": int(requests)}


def in_process(env: dict, code: str) -> dict:
    """Run Django code against the bench database in a child process; return its JSON."""
    result = subprocess.run([PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


REPLAY = r'''
import json, os, statistics, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "contacts_api.settings"
django.setup()
import psycopg
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from accounts.services import api_key_create, service_user
from contacts.serializers import contact_representation
from contacts.models import Contact
from bench.baseline import BaselineContactSerializer

paths = json.loads(sys.argv[1])
_, raw = api_key_create(user=service_user(), name="bench replay")
client = APIClient(); client.credentials(HTTP_AUTHORIZATION="Bearer " + raw)
client.get("/api/v1/contacts?limit=1")
dsn = os.environ["DATABASE_URL"]
out = {"replay": {}, "explain": {}}
with psycopg.connect(dsn) as pg:
    pg.execute("SELECT 1")
    for path in paths:
        from django.core.cache import cache
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            started = time.perf_counter()
            client.get(path)
            first_ms = (time.perf_counter() - started) * 1000
        # The steady state: a total above the cap is now cached, as it is under load.
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counted = captured
        # Every statement of the request, the key lookup included (the cache's own are
        # absent with Redis).
        statements = [q["sql"] for q in captured.captured_queries if "django_cache" not in q["sql"]]
        # psycopg prepares a statement on its fifth run; the first 10 runs are left out, and
        # 100 after them make the median steady (15 runs drifted by a third between runs).
        timings = []
        for _ in range(110):
            started = time.perf_counter()
            for sql in statements:
                pg.execute(sql).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
        steady = sorted(timings[10:])
        out["replay"][path] = {"median_ms": round(statistics.median(steady), 2),
                               "p95_ms": round(steady[int(0.95 * len(steady)) - 1], 2),
                               "first_request_ms": round(first_ms, 1),
                               "queries": len(counted.captured_queries),
                               "queries_first_request": len(cold.captured_queries)}
        # The request's own statements, then those only the first request runs (the ids
        # and their total: the plan chosen on purpose, pagination.ids_and_total).
        first_only = [q["sql"] for q in cold.captured_queries
                      if q["sql"].startswith("SELECT") and "django_cache" not in q["sql"] and q["sql"] not in statements]
        plans = []
        for label, sqls in (("every request", statements), ("first request only", first_only)):
            for sql in sqls:
                plan = pg.execute("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + sql).fetchall()
                plans.append(f"[{label}]\n" + "\n".join(row[0] for row in plan))
        out["explain"][path] = plans
# serialization: the non-database time of a 100-row page
rows = list(Contact.objects.alive().with_related().order_by("id")[:100])
def clock(fn, n=200):
    started = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - started) / n * 1000
out["serialize_ms"] = {
    "project": round(clock(lambda: [contact_representation(c) for c in rows]), 3),
    "model_serializer": round(clock(lambda: BaselineContactSerializer(rows, many=True).data, 50), 3),
}
# the count step for every search term: ids-and-count query, or a cache read above the cap
from contacts_api.api.pagination import fetch_page
count_ms = []
for term in json.loads(sys.argv[2]):
    qs = Contact.objects.with_related().alive().search(term).order_by("id")
    cache.clear()
    for i in range(6):
        started = time.perf_counter()
        fetch_page(qs, offset=0, size=0)
        if i:
            count_ms.append((time.perf_counter() - started) * 1000)
count_ms.sort()
out["count_step"] = {"p50_ms": round(statistics.median(count_ms), 2), "p95_ms": round(count_ms[int(0.95 * len(count_ms)) - 1], 2)}
print(json.dumps(out))
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="contacts_bench")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    db_url = f"{args.postgres}/{args.db}"
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL",)}
    env.update({"DATABASE_URL": db_url, "REDIS_URL": args.redis, "API_RATE_LIMIT": "100000000/min",
                "API_AUTH_FAILURE_LIMIT": "100000000/min", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)})
    key = subprocess.run([PYTHON, "manage.py", "create_api_key", "--name", "bench"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    auth = {"Authorization": f"Bearer {key}"}
    p_base, b_base, f_base = "http://127.0.0.1:8101", "http://127.0.0.1:8102", "http://127.0.0.1:8103"
    g_base = "http://127.0.0.1:8104"
    max_id = in_process(env, "import os, json, django; os.environ['DJANGO_SETTINGS_MODULE']='contacts_api.settings'; "
                        "django.setup(); from contacts.models import Contact; "
                        "print(json.dumps({'max': Contact.objects.order_by('-id').values_list('id', flat=True).first()}))")["max"]

    results: dict = {"workers": args.workers, "connections": args.connections, "duration_s": args.duration}
    servers = {
        "P": start_gunicorn(8101, args.workers, env),
        "B": start_gunicorn(8102, args.workers, {**env, "DJANGO_SETTINGS_MODULE": "bench.baseline_settings"}),
        "F": start_gunicorn(8103, args.workers, {**env, "DJANGO_SETTINGS_MODULE": "bench.floor_settings"}),
        "G": start_gunicorn(8104, args.workers, env, app="bench.floor_bare"),
    }
    try:
        wait_for(f"{p_base}/api/v1/contacts?limit=1", auth)
        wait_for(f"{b_base}/baseline/contacts/?limit=1", {})
        wait_for(f"{f_base}/floor/contacts", auth)
        wait_for(f"{g_base}/", {})

        def run(name, base, paths, headers, connections):
            print(f"  {name} ...", flush=True)
            # Warm up: every path once (the steady state has its counts cached), then load.
            for path in paths:
                urllib.request.urlopen(urllib.request.Request(base + path, headers=headers), timeout=60).read()
            wrk(base, paths, headers, connections=connections, duration=2)
            results[name] = wrk(base, paths, headers, connections=connections, duration=args.duration)

        print("Load (wrk):", flush=True)
        p_list, b_list = ["/api/v1/contacts?limit=100"], ["/baseline/contacts/?limit=100"]
        p_search = [f"/api/v1/contacts?search={t}" for t in SEARCH_TERMS]
        b_search = [f"/baseline/contacts/?search={t}" for t in SEARCH_TERMS]
        run("P list limit=100, 1 conn", p_base, p_list, auth, 1)
        run("B list limit=100, 1 conn", b_base, b_list, {}, 1)
        run("F list limit=100, 1 conn", f_base, ["/floor/contacts"], auth, 1)
        run("D the same bytes from Django, 1 conn", f_base, ["/floor/bytes"], {}, 1)
        run("G the same bytes from gunicorn, 1 conn", g_base, ["/"], {}, 1)
        run(f"P list limit=100, {args.connections} conn", p_base, p_list, auth, args.connections)
        run(f"B list limit=100, {args.connections} conn", b_base, b_list, {}, args.connections)
        run("P search mix, 1 conn", p_base, p_search, auth, 1)
        run("B search mix, 1 conn", b_base, b_search, {}, 1)
        run(f"P search mix, {args.connections} conn", p_base, p_search, auth, args.connections)
        run(f"B search mix, {args.connections} conn", b_base, b_search, {}, args.connections)
        run("P short words (1-2 chars), 1 conn", p_base, [f"/api/v1/contacts?search={t}" for t in SHORT_TERMS], auth, 1)
        run("P phone digits, 1 conn", p_base, [f"/api/v1/contacts?search={t}" for t in PHONE_TERMS], auth, 1)
        run("P after=first page, 1 conn", p_base, ["/api/v1/contacts?limit=100&after=0"], auth, 1)
        run("P after=millionth row, 1 conn", p_base, [f"/api/v1/contacts?limit=100&after={max_id - 150}"], auth, 1)
    finally:
        for process in servers.values():
            stop(process)

    print("Connections: CONN_MAX_AGE=0 ...", flush=True)
    no_reuse = start_gunicorn(8101, args.workers, {**env, "DB_CONN_MAX_AGE": "0"})
    try:
        wait_for(f"{p_base}/api/v1/contacts?limit=1", auth)
        wrk(p_base, p_list, auth, connections=1, duration=2)
        results["P list limit=100, 1 conn, CONN_MAX_AGE=0"] = wrk(p_base, p_list, auth, connections=1, duration=args.duration)
    finally:
        stop(no_reuse)

    print("L: replaying P's SQL on a warm psycopg connection, EXPLAIN, serialization, count step ...", flush=True)
    replay_paths = p_list + ["/api/v1/contacts?limit=100&sort=last_name"] + p_search[:1] + [
        f"/api/v1/contacts?search={t}" for t in ("lovelace", "zzqx")] + [
        "/api/v1/contacts?limit=100&after=0", f"/api/v1/contacts?limit=100&after={max_id - 150}",
    ]
    measured = in_process(env, REPLAY.replace("sys.argv[1]", repr(json.dumps(replay_paths))).replace(
        "sys.argv[2]", repr(json.dumps([t.replace("%20", " ") for t in SEARCH_TERMS + PHONE_TERMS]))))
    results.update(measured)
    print("Where P's time goes (in-process, bench/breakdown.py) ...", flush=True)
    breakdown = subprocess.run([PYTHON, str(ROOT / "bench" / "breakdown.py")], cwd=ROOT, env=env,
                               capture_output=True, text=True, check=True).stdout
    results["breakdown_ms"] = json.loads(breakdown.strip().splitlines()[-1])
    report(results, args.connections)
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "api.json").write_text(json.dumps(results, indent=2))
    print(f"\nfigures written to {out_dir / 'api.json'}")


def report(r: dict, conns: int) -> None:
    print("\n" + "=" * 100)
    print(f"{'scenario':<48}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for name, value in r.items():
        if isinstance(value, dict) and "rps" in value:
            print(f"{name:<48}{value['rps']:>10}{value['p50_ms']:>9}{value['p95_ms']:>9}{value['p99_ms']:>9}{value['errors']:>8}")
    print("\nL (SQL replay on a warm connection):")
    for path, value in r["replay"].items():
        print(f"  {path:<60} median {value['median_ms']} ms  ({value['queries']} queries; "
              f"{value['queries_first_request']} on the first request of a minute, which took "
              f"{value['first_request_ms']} ms in-process)")

    def ratio(a, b):
        return round(a / b, 2) if b else float("nan")

    list_l = r["replay"]["/api/v1/contacts?limit=100"]["median_ms"]
    goals = [
        ("list limit=100: P median / L median (goal <= 3)", ratio(r["P list limit=100, 1 conn"]["p50_ms"], list_l)),
        ("list limit=100: F median / L median (a Django view with P's SQL and JSON alone)",
         ratio(r["F list limit=100, 1 conn"]["p50_ms"], list_l)),

        (f"list limit=100: P/B throughput at {conns} conn (goal >= 10)",
         ratio(r[f"P list limit=100, {conns} conn"]["rps"], r[f"B list limit=100, {conns} conn"]["rps"])),
        ("search mix: P p95 ms, 1 conn (goal <= 50)", r["P search mix, 1 conn"]["p95_ms"]),
        (f"search mix: P/B throughput at {conns} conn (goal >= 10)",
         ratio(r[f"P search mix, {conns} conn"]["rps"], r[f"B search mix, {conns} conn"]["rps"])),
        ("short words: P p95 ms (goal <= 100)", r["P short words (1-2 chars), 1 conn"]["p95_ms"]),
        ("count step p95 ms (goal < 20)", r["count_step"]["p95_ms"]),
        ("after: millionth row / first page median (goal <= 2)",
         ratio(r["P after=millionth row, 1 conn"]["p50_ms"], r["P after=first page, 1 conn"]["p50_ms"])),
        (f"serialization of 100 rows, ms (goal <= 2; ModelSerializer: {r['serialize_ms']['model_serializer']})",
         r["serialize_ms"]["project"]),
        ("CONN_MAX_AGE=60 + health checks vs 0: p50 ms",
         f"{r['P list limit=100, 1 conn']['p50_ms']} vs {r['P list limit=100, 1 conn, CONN_MAX_AGE=0']['p50_ms']}"),
    ]
    print(f"\nThe ladder, list limit=100 (median over HTTP, 1 conn; L = {list_l} ms):")
    for name, label in (("G the same bytes from gunicorn, 1 conn", "G gunicorn alone, no database"),
                        ("D the same bytes from Django, 1 conn", "D Django, no middleware, no database"),
                        ("F list limit=100, 1 conn", "F Django, P's two statements, the same JSON"),
                        ("P list limit=100, 1 conn", "P the project")):
        p50 = r[name]["p50_ms"]
        print(f"  {label:<60}{p50:>8} ms  {ratio(p50, list_l):>6} x L")
    print("\nWhere P's time goes, list limit=100 in-process (median ms; phases that query include their SQL):")
    for phase, ms in r["breakdown_ms"].items():
        print(f"  {phase:<60}{ms:>8}")
    print("\nGoals:")
    for label, value in goals:
        print(f"  {label:<78} {value}")
    r["goals"] = dict(goals)
    print("\nEXPLAIN (ANALYZE) of the statements P runs:")
    for path, plans in r["explain"].items():
        print(f"\n-- {path}")
        for plan in plans:
            print("   " + plan.replace("\n", "\n   "))


if __name__ == "__main__":
    main()
