"""Safe writes at a million contacts (API.md 6): batch upserts and idempotent replays.

    make bench            # runs this after api_bench.py
    .venv/bin/python bench/writes_bench.py [--requests 30] [--replays 300]

One client on one keep-alive connection, against gunicorn as `make run` serves it, on
the benchmark's PostgreSQL database (migrated first). It times:
  1. POST /contacts/batch with 100 new contacts per request  -> contacts/s
  2. the same emails again, each with a changed value          -> contacts/s (100 updates)
  3. a POST replayed under its Idempotency-Key, against a GET of the same contact,
     alternating, so that both meet the same machine          -> p50 ratio
The contacts it makes are deleted at the end. Prints the figures and writes
bench/out/writes.json. Loopback only; bounded by the request counts.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_bench import PYTHON, ROOT, django_setup, percentile, start_gunicorn, stop, wait_for  # noqa: E402

PORT = 8111


def timed(connection, method: str, path: str, headers: dict, body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    started = time.perf_counter()
    connection.request(method, path, body=data, headers={**headers, "Content-Type": "application/json"})
    response = connection.getresponse()
    payload = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status >= 400:
        raise SystemExit(f"{method} {path}: {response.status} {payload[:300]!r}")
    return elapsed, response, payload


def batch_rate(connection, headers, batches) -> dict:
    latencies, counts = [], {}
    started = time.perf_counter()
    for items in batches:
        ms, _, payload = timed(connection, "POST", "/api/v1/contacts/batch", headers, {"contacts": items})
        latencies.append(ms)
        for name, value in json.loads(payload)["meta"]["summary"].items():
            counts[name] = counts.get(name, 0) + value
    elapsed = time.perf_counter() - started
    return {"contacts_per_s": round(sum(len(b) for b in batches) / elapsed), "p50_ms": percentile(latencies, 0.5),
            "p95_ms": percentile(latencies, 0.95), "requests": len(batches), "summary": counts}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="contacts_bench")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--requests", type=int, default=30, help="batch requests per phase")
    parser.add_argument("--replays", type=int, default=300)
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env.update({"DATABASE_URL": f"{args.postgres}/{args.db}", "REDIS_URL": args.redis,
                "API_RATE_LIMIT": "100000000/min", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)})
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    django_setup(env)
    from accounts.services import api_key_create, service_user
    from clients.models import Client
    from contacts.models import Contact

    _, key = api_key_create(user=service_user(), name="writes bench")
    headers = {"Authorization": f"Bearer {key}"}
    client_ids = list(Client.objects.order_by("id").values_list("id", flat=True)[:50])
    tag = f"wbench-{uuid.uuid4().hex[:8]}"
    batches = [
        [{"first_name": "Bench", "last_name": f"Row{r}-{i}", "email": f"{tag}-{r}-{i}@bench.example",
          "clientid": client_ids[i % len(client_ids)]} for i in range(100)]
        for r in range(args.requests)
    ]
    server = start_gunicorn(PORT, 2, 16, env)
    results = {}
    try:
        wait_for(PORT, "/api/v1/roles", headers)
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        timed(connection, "GET", "/api/v1/roles", headers)
        print("batch upsert: 100 new contacts per request ...", flush=True)
        results["batch_create"] = batch_rate(connection, headers, batches)
        print("batch upsert: 100 updates per request ...", flush=True)
        updates = [[{**item, "last_name": item["last_name"] + "-changed"} for item in b] for b in batches]
        results["batch_update"] = batch_rate(connection, headers, updates)

        print("idempotent replay against GET ...", flush=True)
        body = {"first_name": "Replay", "last_name": "Bench", "email": f"{tag}-replay@bench.example",
                "clientid": client_ids[0]}
        replay_headers = {**headers, "Idempotency-Key": f"{tag}-replay"}
        _, response, _ = timed(connection, "POST", "/api/v1/contacts", replay_headers, body)
        detail = response.getheader("Location").split(f"127.0.0.1:{PORT}")[-1]
        for _ in range(20):  # warm both paths: prepared statements, caches
            timed(connection, "POST", "/api/v1/contacts", replay_headers, body)
            timed(connection, "GET", detail, headers)
        replays, gets = [], []
        for _ in range(args.replays):
            ms, response, _ = timed(connection, "POST", "/api/v1/contacts", replay_headers, body)
            assert response.getheader("Idempotent-Replayed") == "true"
            replays.append(ms)
            gets.append(timed(connection, "GET", detail, headers)[0])
        results["replay"] = {"replay_p50_ms": percentile(replays, 0.5), "get_p50_ms": percentile(gets, 0.5),
                             "replay_p95_ms": percentile(replays, 0.95), "get_p95_ms": percentile(gets, 0.95),
                             "ratio_p50": round(percentile(replays, 0.5) / percentile(gets, 0.5), 2)}
        connection.close()
    finally:
        stop(server)
        Contact.objects.filter(email__startswith=tag).delete()
    report(results)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "writes.json").write_text(json.dumps(results, indent=2))


def report(r: dict) -> None:
    create, update, replay = r["batch_create"], r["batch_update"], r["replay"]
    print()
    print(f"{'phase':42} {'contacts/s':>10} {'p50 ms':>8} {'p95 ms':>8}")
    print(f"{'batch of 100 new contacts (goal >= 2,000/s)':42} {create['contacts_per_s']:>10,} {create['p50_ms']:>8} {create['p95_ms']:>8}")
    print(f"{'batch of 100 updates (goal >= 2,000/s)':42} {update['contacts_per_s']:>10,} {update['p50_ms']:>8} {update['p95_ms']:>8}")
    print(f"  summaries: {create['summary']} / {update['summary']}")
    print(f"idempotent replay p50 {replay['replay_p50_ms']} ms, GET of the contact p50 {replay['get_p50_ms']} ms: "
          f"replay / GET = {replay['ratio_p50']} (goal <= 1)")


if __name__ == "__main__":
    main()
