"""`make run`'s serving layout, started and stopped as one: `python -m contacts_api.serve`.

    front    gunicorn's asyncio worker on BIND (contacts_api/front.py): reads each request
             whole, so slow clients hold no thread
    backend  gunicorn's threaded workers with the Django application (gunicorn.conf.py),
             on a Unix socket only the front reaches
    worker   `manage.py deliver_webhooks` (leave it out with --no-worker)

When one of them ends, or on SIGTERM or Ctrl-C, the others are stopped too.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import environ

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The front's timeout bounds how long it waits for a request's body.
FRONT_TIMEOUT_SECONDS = "15"


def commands(bind: str, backend_socket: str, worker: bool) -> dict[str, tuple[list[str], dict]]:
    backend_env = {"BIND": f"unix:{backend_socket}", "API_NUM_PROXIES": "1"}
    front = [str(BIN / "gunicorn"), "contacts_api.front:application", "-c", "gunicorn.conf.py", "-k", "asgi",
             "--bind", bind, "--workers", "1", "--timeout", FRONT_TIMEOUT_SECONDS]
    found = {
        "backend": ([str(BIN / "gunicorn"), "contacts_api.wsgi", "-c", "gunicorn.conf.py"], backend_env),
        "front": (front, {"FRONT_BACKEND_SOCKET": backend_socket}),
    }
    if worker:
        found["worker"] = ([sys.executable, "manage.py", "deliver_webhooks"], {})
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-worker", action="store_true", help="do not start the webhook worker")
    parser.add_argument("--show-key", metavar="KEY", help="print this API key with a first request to try")
    options = parser.parse_args(argv)
    # Settings come from the environment or `.env`, for the servers as for Django (PORT, BIND).
    environ.Env.read_env(ROOT / ".env", overwrite=False)
    bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
    if options.show_key:
        url = f"http://{bind}"
        print(f"\nAPI key (shown once): {options.show_key}\n"
              f'Try:  curl -s -H "Authorization: Bearer {options.show_key}" "{url}/api/v1/contacts?limit=5"\n'
              f"Docs: {url}/api/docs/   Admin: {url}/admin/\n", flush=True)
    backend_socket = str(Path(tempfile.mkdtemp(prefix="contacts-")) / "backend.sock")
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name, (command, env) in commands(bind, backend_socket, not options.no_worker).items():
        children[name] = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    try:
        while not stopping and all(child.poll() is None for child in children.values()):
            time.sleep(0.2)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
        shutil.rmtree(Path(backend_socket).parent, ignore_errors=True)
    return 0 if stopping else 1


if __name__ == "__main__":
    sys.exit(main())
