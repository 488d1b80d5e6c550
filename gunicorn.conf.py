"""gunicorn settings for `make run`; each can be overridden from the environment."""

import os

from contacts_api.serving import install_envelope_errors

# Requests gunicorn refuses itself (414, 431, a malformed request line) answer in the
# envelope too.
install_envelope_errors()

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Threads (gthread workers): a request that waits (for the database, or for its turn as a
# list, contacts_api/api/concurrency.py) holds a thread, not the process; there are more
# threads than lists may run at once, so that writes always find one.
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# The application logs one line per request with its request id; no second access log.
accesslog = None
errorlog = "-"
