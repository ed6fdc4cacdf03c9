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
# Workers are not recycled by default: under a steady 700/s a worker recycled every
# 3,000 requests put the answers' p95 at 193-222 ms, against 9-16 ms for workers
# never recycled (bench/README.md, Intake). GUNICORN_MAX_REQUESTS turns it on
# (with 10% jitter) where a leak must be contained.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 0))
max_requests_jitter = max_requests // 10
# Load the app once in the master and fork workers from it: a worker that is
# recycled or replaced after a crash starts in milliseconds instead of importing
# the app again (~2 s of CPU, which under load takes a core from the others).
preload_app = True
accesslog = None if os.environ.get("GUNICORN_ACCESSLOG") == "off" else "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(_server: object, _worker: object) -> None:
    """Connections the master opened while loading the app are not the worker's:
    the database pool starts empty in each worker (Redis clients notice the new
    pid by themselves)."""
    from capture.wsgi import app

    app.extensions["lc_engine"].dispose(close=False)
