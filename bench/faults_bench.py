"""Hardening under faults (issue "Hardening"): slow clients, a hung PostgreSQL, a hung Redis.

    make bench            # runs this last
    .venv/bin/python bench/faults_bench.py [--postgres URL]

On a small PostgreSQL database of its own (contacts_faults: migrated, demo data), each
part in one run, against the real servers:
  1. slow clients: p95 of GET /api/v1/contacts/{id} from 4 clients, alone and beside 50
     connections that trickle their headers (then 50 that trickle a body), through
     make run's layout (contacts_api.serve) -> the ratio (goal <= 2); gunicorn alone beside
     the same trickling headers for reference
  2. a hung PostgreSQL (frozen behind contacts_api.testing.FreezableProxy) under gunicorn:
     for requests in flight and new ones, the time to their answer after the freeze and its
     status (goal: 503 within 5 s); /healthz while frozen (goal <= 100 ms); /readyz (goal:
     503 within 5 s); after the thaw, the time to the first 200 without a restart
  3. a hung Redis (a redis-server of its own, SIGSTOP): the time the first request after
     the freeze takes beyond the median before it (goal <= 250 ms), and the p95 of the
     next 40 beyond it (goal: ~0)
Loopback only; every part is bounded in time; what it starts it stops.
"""

import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from api_bench import PYTHON, ROOT, percentile, stop  # noqa: E402

from contacts_api.testing import FreezableProxy, free_port, manage  # noqa: E402

GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")




def start(command, env) -> subprocess.Popen:
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)



def get(port, path, key, timeout=20) -> tuple[int, float]:
    started = time.monotonic()
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", path, headers={"X-API-Key": key})
        response = c.getresponse()
        response.read()
        c.close()
        return response.status, time.monotonic() - started
    except OSError:
        return 0, time.monotonic() - started  # 0: no answer (timed out or refused)


def wait_up(port, key) -> None:
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if get(port, "/api/v1/roles", key, timeout=2)[0] == 200:
            return
        time.sleep(0.3)
    raise SystemExit(f"nothing answers on {port}")


def load(port, key, seconds, clients=4) -> list[tuple[int, float]]:
    results, done = [], time.monotonic() + seconds

    def client(index):
        while time.monotonic() < done:
            results.append(get(port, f"/api/v1/contacts/{1 + index % 40}", key))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


class Tricklers:
    """`count` connections that send a request a byte at a time, reconnecting when closed."""

    def __init__(self, port, count, body: bool):
        self.port, self.count, self.body, self.running = port, count, body, True
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def _run(self):
        head = (b"PATCH /api/v1/contacts/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 100000\r\n\r\n") if self.body else b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        while self.running:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=5) as sock:
                    sock.sendall(head if self.body else head[:20])
                    sent = 0
                    while self.running:
                        sock.send(b"a" if self.body else b"X-Slow-%d: a\r\n" % sent)
                        sent += 1
                        time.sleep(0.5)
            except OSError:
                time.sleep(0.1)

    def stop(self):
        self.running = False


def p95_ms(results) -> float:
    return percentile([seconds * 1000 for status, seconds in results if status == 200], 0.95)


def slow_clients(env, key) -> dict:
    figures = {}
    for layout, command in (("make run", [PYTHON, "-m", "contacts_api.serve", "--no-worker"]),
                            ("gunicorn alone", [GUNICORN, "contacts_api.wsgi", "-c", "gunicorn.conf.py"])):
        port = free_port()
        process = start(command, {**env, "PORT": str(port)})
        try:
            wait_up(port, key)
            load(port, key, 2)  # warm
            alone = load(port, key, 8)
            row = {"p95_alone_ms": p95_ms(alone)}
            for kind in (("headers", False), ("body", True)) if layout == "make run" else (("headers", False),):
                tricklers = Tricklers(port, 50, body=kind[1])
                time.sleep(1)
                beside = load(port, key, 8)
                tricklers.stop()
                answered = [r for r in beside if r[0] == 200]
                row[f"p95_beside_50_slow_{kind[0]}_ms"] = p95_ms(beside) if answered else None
                row[f"failed_beside_slow_{kind[0]}"] = len(beside) - len(answered)
                row[f"ratio_{kind[0]}"] = round(p95_ms(beside) / row["p95_alone_ms"], 2) if answered else None
                time.sleep(1.5)
            figures[layout] = row
        finally:
            stop(process)
    return figures


def hung_postgres(env, key, db_url) -> dict:
    host_port = db_url.split("@", 1)[1].split("/", 1)[0]
    host, _, port_text = host_port.partition(":")
    proxy = FreezableProxy((host, int(port_text or 5432)))
    proxied = db_url.replace(host_port, f"127.0.0.1:{proxy.port}")
    port = free_port()
    process = start([GUNICORN, "contacts_api.wsgi", "-c", "gunicorn.conf.py"],
                    {**env, "DATABASE_URL": proxied, "PORT": str(port)})
    try:
        wait_up(port, key)
        results, freeze_at = [], [None]
        done = time.monotonic() + 14

        def client(index):
            while time.monotonic() < done:
                started = time.monotonic()
                status, seconds = get(port, f"/api/v1/contacts/{1 + index % 40}", key)
                if freeze_at[0] is not None and started + seconds > freeze_at[0] and started < freeze_at[0] + 6:
                    results.append((status, started + seconds - max(started, freeze_at[0]), started < freeze_at[0]))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(6)]
        for thread in threads:
            thread.start()
        time.sleep(2)
        freeze_at[0] = time.monotonic()
        proxy.frozen.set()
        health = []
        for _ in range(40):
            health.append(get(port, "/healthz", key)[1] * 1000)
            time.sleep(0.1)
        ready_status, ready_seconds = get(port, "/readyz", key)
        time.sleep(1)
        proxy.frozen.clear()
        thawed = time.monotonic()
        while get(port, "/api/v1/roles", key, timeout=5)[0] != 200 and time.monotonic() - thawed < 30:
            time.sleep(0.1)
        recovered = time.monotonic() - thawed
        for thread in threads:
            thread.join()
    finally:
        stop(process)
        proxy.close()
    in_flight = [r for r in results if r[2]]
    return {
        "requests_after_freeze": len(results),
        "statuses": sorted({r[0] for r in results}),
        "in_flight": len(in_flight),
        "max_seconds_to_answer_in_flight": round(max((r[1] for r in in_flight), default=0), 2),
        "max_seconds_to_answer_new": round(max((r[1] for r in results if not r[2]), default=0), 2),
        "healthz_max_ms_while_frozen": round(max(health), 1),
        "healthz_p95_ms_while_frozen": percentile(health, 0.95),
        "readyz": [ready_status, round(ready_seconds, 2)],
        "seconds_to_first_200_after_thaw": round(recovered, 2),
    }


def hung_redis(env, key) -> dict:
    port, redis_port = free_port(), free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL, start_new_session=True)
    process = start([GUNICORN, "contacts_api.wsgi", "-c", "gunicorn.conf.py"],
                    {**env, "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "PORT": str(port), "WEB_CONCURRENCY": "1"})
    try:
        wait_up(port, key)
        before = [get(port, "/api/v1/contacts/1", key)[1] for _ in range(60)]
        median = sorted(before)[30]
        redis.send_signal(signal.SIGSTOP)
        first = get(port, "/api/v1/contacts/1", key)
        after = [get(port, "/api/v1/contacts/1", key) for _ in range(40)]
        redis.send_signal(signal.SIGCONT)
    finally:
        stop(process)
        redis.send_signal(signal.SIGCONT)
        redis.terminate()
        redis.wait(timeout=10)
    return {
        "median_ms_before": round(median * 1000, 1),
        "first_request_after_freeze": {"status": first[0], "added_ms": round((first[1] - median) * 1000, 1)},
        "next_40": {"statuses": sorted({s for s, _ in after}),
                    "p95_added_ms": round(percentile([(t - median) * 1000 for _, t in after], 0.95), 1)},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="contacts_faults")
    options = parser.parse_args()
    db_url = f"{options.postgres}/{options.db}"
    env = {k: v for k, v in os.environ.items() if k not in ("BIND", "PORT", "REDIS_URL", "CACHE_URL")}
    env.update({"DATABASE_URL": db_url, "WEB_CONCURRENCY": "2", "GUNICORN_THREADS": "16", "LOG_LEVEL": "WARNING",
                "API_RATE_LIMIT": "1000000/min"})
    subprocess.run(["psql", options.postgres + "/postgres", "-qc", f"CREATE DATABASE {options.db}"],
                   capture_output=True)
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--if-empty")
    key = manage(env, "create_api_key", "--name", "faults bench").strip().splitlines()[-1]
    report = {
        "slow_clients": slow_clients(env, key),
        "hung_postgres": hung_postgres(env, key, db_url),
        "hung_redis": hung_redis(env, key),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
