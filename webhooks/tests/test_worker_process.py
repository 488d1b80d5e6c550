"""The worker as it runs: a separate process, a real receiver, a receiver that hangs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from contacts.tests.factories import ContactFactory
from contacts_api.testing import requires_postgres
from webhooks.tests.conftest import Receiver

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def test_a_worker_process_delivers_in_order_while_another_receiver_hangs(api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    healthy, hanging = Receiver(), Receiver()
    hanging.delay = 5  # beyond the worker's timeout: every attempt is cut off
    worker = None
    try:
        for receiver in (hanging, healthy):
            assert api.post("/api/v1/webhooks", {"url": receiver.url, "event_types": ["*"]}, format="json").status_code == 201
        env = {**os.environ, "DATABASE_URL": database_url(), "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": "true",
               "WEBHOOKS_POLL_SECONDS": "0.2", "WEBHOOKS_TIMEOUT_SECONDS": "3"}
        worker = subprocess.Popen([sys.executable, "manage.py", "deliver_webhooks"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        contact = ContactFactory()
        time.sleep(1)  # the worker is up and the hanging receiver has its first request
        for name in ("One", "Two"):
            changed = time.monotonic()
            assert api.patch(f"/api/v1/contacts/{contact.pk}", {"first_name": name}, format="json").status_code == 200
            # The hanging receiver holds one of the worker's threads, not the others (its
            # attempts are cut off after 3 s); how fast is measured in make bench.
            while len(healthy.requests) < (1 if name == "One" else 2) and time.monotonic() - changed < 10:
                time.sleep(0.02)
        assert [e["data"]["first_name"] for e in healthy.events()] == ["One", "Two"]
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=15) == 0
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        healthy.close()
        hanging.close()
