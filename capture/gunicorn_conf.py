"""Production gunicorn settings: ``gunicorn --config python:capture.gunicorn_conf capture.wsgi:app``.

The submit path is I/O-bound (one Redis round trip), so a few processes with
threads each use two cores well; override with GUNICORN_WORKERS / GUNICORN_THREADS."""

from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 10000
max_requests_jitter = 1000
# Load the app once in the master and fork workers from it: a worker recycled by
# max_requests then starts in milliseconds instead of importing the app again
# (~2 s of CPU), which under load took a core from the other workers and put
# seconds-long spikes in the answers (bench/README.md, End to end).
preload_app = True
accesslog = None if os.environ.get("GUNICORN_ACCESSLOG") == "off" else "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(_server: object, _worker: object) -> None:
    """Connections the master opened while loading the app are not the worker's:
    the database pool starts empty in each worker (Redis clients notice the new
    pid by themselves)."""
    from capture.wsgi import app

    app.extensions["lc_engine"].dispose(close=False)
