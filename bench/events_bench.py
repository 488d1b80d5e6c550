"""The event log at a million contacts (API.md 7): its cost to writes, the feed, webhooks.

    make bench            # runs this after writes_bench.py
    .venv/bin/python bench/events_bench.py [--baseline REV] [--seconds 10]

On the benchmark's PostgreSQL database (migrated first), against gunicorn as `make run`
serves it:
  1. PATCH at 16 connections, with events (this tree) against without (REV, by default
     the commit before the event log, checked out with `git worktree`), alternating twice
     -> requests/s ratio (goal: events cost at most 25 %)
  2. reading the feed from the start with limit=1000 from one client -> events/s (goal
     >= 20,000); 100,000 events are added first if the log holds fewer; then its
     contact.created events alone (100,000 added, as an import writes them, if fewer),
     the biggest events
  3. 10 webhook endpoints on loopback receivers and a real `deliver_webhooks` process:
     one change every 0.2 s, the time from the PATCH's answer to each receiver -> p95
     (goal <= 2 s)
Everything it makes (endpoints, worktree) is removed at the end. Loopback only; bounded.
"""

import argparse
import gc
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from api_bench import PYTHON, ROOT, django_setup, percentile, stop  # noqa: E402

PORT = 8121
BASELINE = "81f638d"  # the commit before the event log


def gunicorn(tree: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "contacts_api.wsgi", "-w", "2", "--threads", "16",
         "-b", f"127.0.0.1:{PORT}", "--access-logfile", "/dev/null", "--log-level", "warning"],
        cwd=tree, env={**env, "PYTHONPATH": str(tree)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_up(headers):
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            c.request("GET", "/api/v1/roles", headers=headers)
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer")


def patch_rate(headers, contact_ids, seconds, connections=16) -> float:
    done, count, errors = time.monotonic() + seconds, [0], [0]
    lock = threading.Lock()

    def client(index):
        rng = random.Random(index)
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while time.monotonic() < done:
            pk = rng.choice(contact_ids)
            body = json.dumps({"position": f"Role {rng.randrange(10**6)}"})
            c.request("PATCH", f"/api/v1/contacts/{pk}", body=body, headers={**headers, "Content-Type": "application/json"})
            response = c.getresponse()
            response.read()
            with lock:
                count[0] += 1
                errors[0] += response.status >= 400
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors[0]:
        print(f"  ({errors[0]} errors)")
    return count[0] / (time.monotonic() - started)


def feed_rate(headers, query: str) -> dict:
    """Read the feed from its start (up to 200 pages) as a consumer that reads fast. The
    objects this process holds (Django's, the bench's) are frozen first: a consumer's
    cycle collector, run by the parsing of each page, scans its own objects, not these."""
    gc.collect()
    gc.freeze()
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    path, read, pages, started = f"/api/v1/events?{query}", 0, 0, time.monotonic()
    while pages < 200:
        c.request("GET", path, headers=headers)
        body = orjson.loads(c.getresponse().read())
        read += len(body["data"])
        pages += 1
        if not body["meta"]["has_more"]:
            break
        path = f"/api/v1/events?{query}&after=" + body["meta"]["cursor"]
    return {"events": read, "events_per_s": round(read / (time.monotonic() - started))}


def add_created_events(count: int) -> None:
    """contact.created events of real contacts, written by the import's own writer: the
    feed's biggest events (the whole object in `data`, every field again in `changes`)."""
    from django.db import transaction

    from contacts.models import Contact
    from contacts.representation import LIST_VALUES, contact_row_representation
    from events.actors import command_actor
    from events.services import record_contact_events

    rows = Contact.objects.alive().order_by("id").values(*LIST_VALUES)[:count].iterator(chunk_size=1000)
    actor = command_actor("events_bench")
    while batch := list(islice(rows, 1000)):
        with transaction.atomic():
            record_contact_events([("contact.created", None, contact_row_representation(row)) for row in batch], actor=actor)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="contacts_bench")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--baseline", default=BASELINE)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env.update({"DATABASE_URL": f"{args.postgres}/{args.db}", "REDIS_URL": args.redis,
                "API_RATE_LIMIT": "100000000/min", "LOG_LEVEL": "WARNING", "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
                "WEBHOOKS_POLL_SECONDS": "0.2"})
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    django_setup(env)
    from django.db import connection

    from accounts.services import api_key_create, service_user
    from contacts.models import Contact
    from events.models import Event
    from webhooks.models import WebhookEndpoint

    _, key = api_key_create(user=service_user(), name="events bench")
    headers = {"Authorization": f"Bearer {key}"}
    contact_ids = list(Contact.objects.alive().order_by("?").values_list("id", flat=True)[:5000])
    results = {}

    # 1. the cost of recording events
    baseline = Path(tempfile.mkdtemp(prefix="events-baseline-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        rates = {"with": [], "without": []}
        for _ in range(2):
            for label, tree in (("without", baseline), ("with", ROOT)):
                print(f"PATCH at 16 connections, {label} events ...", flush=True)
                server = gunicorn(tree, env)
                try:
                    wait_up(headers)
                    patch_rate(headers, contact_ids, 2)  # warm up
                    rates[label].append(patch_rate(headers, contact_ids, args.seconds))
                finally:
                    stop(server)
        results["patch"] = {name: round(max(values), 1) for name, values in rates.items()}
        results["patch"]["cost"] = round(1 - results["patch"]["with"] / results["patch"]["without"], 3)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, capture_output=True)

    server = gunicorn(ROOT, env)
    worker = None
    receivers = []
    try:
        wait_up(headers)
        # 2. reading the feed
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM events_event")
            if cursor.fetchone()[0] < 100_000:
                print("adding 100,000 events ...", flush=True)
                cursor.execute(
                    "INSERT INTO events_event (type, contact_id, client_id, actor, changes, data) "
                    "SELECT 'contact.updated', id, client_id, '{\"type\": \"system\", \"id\": null, \"name\": null}', "
                    "jsonb_build_object('last_name', jsonb_build_object('from', last_name, 'to', last_name)), "
                    "jsonb_build_object('id', id, 'first_name', first_name, 'last_name', last_name, 'email', email, "
                    "'phone', phone, 'status', status, 'version', version) "
                    "FROM accounts_user WHERE user_type = 'client' LIMIT 100000"
                )
            cursor.execute("ANALYZE events_event")
        if Event.objects.filter(type=Event.Type.CREATED).count() < 100_000:
            print("adding 100,000 created events, as an import records them ...", flush=True)
            add_created_events(100_000)
        print("reading the feed, limit=1000 ...", flush=True)
        results["feed"] = feed_rate(headers, "limit=1000")
        print("reading the created events of the feed, limit=1000 ...", flush=True)
        results["feed_created"] = feed_rate(headers, "limit=1000&type=contact.created")

        # 3. webhook latency with 10 endpoints
        arrivals: dict[str, list[float]] = {}
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    arrivals.setdefault(body["data"].get("job_position") or "", []).append(time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)  # the last one may have idled out
        for _ in range(10):
            receiver = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            threading.Thread(target=receiver.serve_forever, daemon=True).start()
            receivers.append(receiver)
            c.request("POST", "/api/v1/webhooks", headers={**headers, "Content-Type": "application/json"},
                      body=json.dumps({"url": f"http://127.0.0.1:{receiver.server_port}/h", "event_types": ["contact.updated"]}))
            c.getresponse().read()
        worker = subprocess.Popen([PYTHON, "manage.py", "deliver_webhooks"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(2)
        print("webhooks: 50 changes, 10 endpoints ...", flush=True)
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)  # gunicorn closes idle keep-alives
        sent = {}
        for index in range(50):
            marker = f"bench-{index}-{random.randrange(10**9)}"
            c.request("PATCH", f"/api/v1/contacts/{contact_ids[index]}", headers={**headers, "Content-Type": "application/json"},
                      body=json.dumps({"position": marker}))
            c.getresponse().read()
            sent[marker] = time.monotonic()
            time.sleep(0.2)
        time.sleep(5)
        latencies = [arrival - sent[m] for m in sent for arrival in arrivals.get(m, [])]
        results["webhooks"] = {"deliveries": len(latencies), "expected": 500,
                               "p50_s": percentile(latencies, 0.5), "p95_s": percentile(latencies, 0.95)}
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        stop(server)
        for receiver in receivers:
            receiver.shutdown()
        WebhookEndpoint.objects.all().delete()
    report(results)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "events.json").write_text(json.dumps(results, indent=2))


def report(r):
    p, f, w = r["patch"], r["feed"], r["webhooks"]
    print()
    print(f"PATCH at 16 connections: {p['without']} req/s without events, {p['with']} with: "
          f"events cost {p['cost'] * 100:.1f} % (goal <= 25 %)")
    print(f"feed, limit=1000: {f['events_per_s']:,} events/s over {f['events']:,} events (goal >= 20,000)")
    c = r["feed_created"]
    print(f"feed of created events, limit=1000: {c['events_per_s']:,} events/s over {c['events']:,} events "
          "(goal >= 20,000)")
    print(f"webhooks, 10 endpoints: {w['deliveries']}/{w['expected']} delivered, p50 {w['p50_s']} s, "
          f"p95 {w['p95_s']} s from commit to receiver (goal <= 2 s)")


if __name__ == "__main__":
    main()
