"""The ``leadcapture`` command: run the embedded stack, workers, migrations and
scripting helpers."""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from redis import Redis
from sqlalchemy import select

from capture.settings import Settings, SettingsError
from crm_core.db import make_engine, make_session_factory, transaction
from crm_core.errors import ValidationFailed
from crm_core.models import Priority, Source, Status, User


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SettingsError(f"{name} is not set. See README: Configuration.")
    return value


def _factory(database_url: str):  # type: ignore[no-untyped-def]
    return make_session_factory(make_engine(database_url))


# --- serve -------------------------------------------------------------------


def _secret_key(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def cmd_serve(args: argparse.Namespace) -> int:
    from capture.app import create_app
    from capture.bootstrap import ensure_demo_form, ensure_first_admin
    from capture.embedded_redis import EmbeddedRedis
    from capture.form_cache import publish_all
    from crm_core.migrate import upgrade

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
    )
    worker_process: subprocess.Popen[bytes] | None = None
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        upgrade(database_url)
        factory = _factory(database_url)
        with transaction(factory) as session:
            first_admin = ensure_first_admin(session)
            demo = ensure_demo_form(session, [f"localhost:{args.port}", f"127.0.0.1:{args.port}"])
            demo_key = demo.key
        publish_all(Redis.from_url(redis_url), factory)
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
            _stop_process_group(worker_process)
        if redis_server is not None:
            redis_server.stop()
        print("Stopped.", flush=True)
    return 0


def _raise_keyboard_interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _stop_process_group(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # warm shutdown: the current job finishes
        process.wait(timeout)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _banner(base_url: str, demo_key: str, first_admin: Any, data_dir: Path) -> None:
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


# --- worker ------------------------------------------------------------------


def cmd_worker(args: argparse.Namespace) -> int:
    redis_url, database_url = _env("REDIS_URL"), _env("DATABASE_URL")
    if args.processes > 1:
        children = [
            subprocess.Popen(
                [sys.executable, "-m", "capture.cli", "worker", *(["--burst"] if args.burst else [])]
            )
            for _ in range(args.processes)
        ]
        signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            return max(child.wait() for child in children)
        except KeyboardInterrupt:
            for child in children:
                child.send_signal(signal.SIGTERM)
            return max(child.wait() for child in children)
    from worker.workers import run_worker

    run_worker(redis_url, database_url, burst=args.burst)
    return 0


# --- db ------------------------------------------------------------------------


def cmd_db(args: argparse.Namespace) -> int:
    from crm_core.lists.defaults import ensure_default_lookups
    from crm_core.migrate import downgrade, upgrade

    database_url = _env("DATABASE_URL")
    if args.action == "upgrade":
        upgrade(database_url, args.revision or "head")
        with transaction(_factory(database_url)) as session:
            ensure_default_lookups(session)
        print("Database is up to date.")
    else:
        downgrade(database_url, args.revision or "-1")
        print(f"Database downgraded to {args.revision or '-1'}.")
    return 0


# --- users ---------------------------------------------------------------------


def cmd_users(args: argparse.Namespace) -> int:
    from crm_core.users.passwords import hash_password
    from crm_core.users.services import create_user

    factory = _factory(_env("DATABASE_URL"))
    password = args.password or secrets.token_urlsafe(12)
    with transaction(factory) as session:
        if args.action == "create":
            user = create_user(session, args.email, password, args.role, name=args.name or "")
        else:
            user = session.scalar(select(User).where(User.email == args.email.strip().lower()))
            if user is None:
                raise ValidationFailed({"email": ["No user with this email."]})
            user.password_hash = hash_password(password)
    print(
        f"{user.email} ({user.role.value}) password: {password}"
        if not args.password
        else f"Saved {user.email}."
    )
    return 0


# --- forms ---------------------------------------------------------------------


def _lookup_id(session: Any, model: Any, name: str | None) -> int | None:
    if not name:
        return None
    column = model.email if model is User else model.name
    found = session.scalar(select(model.id).where(column == name))
    if found is None:
        raise ValidationFailed({model.__tablename__: [f"“{name}” does not exist."]})
    return found


def _parse_fields(spec: str) -> list[dict[str, Any]]:
    """``name*,email*,phone,cf_budget`` — a star marks a required field."""
    fields = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        fields.append({"name": item.rstrip("*"), "required": item.endswith("*")})
    return fields


def cmd_forms(args: argparse.Namespace) -> int:
    from capture.form_cache import publish, publish_all
    from crm_core.forms.services import create_form, form_definition

    factory = _factory(_env("DATABASE_URL"))
    redis_url = os.environ.get("REDIS_URL")
    if args.action == "publish":
        count = publish_all(Redis.from_url(_env("REDIS_URL")), factory)
        print(f"Published {count} form definition(s) to the cache.")
        return 0
    with transaction(factory) as session:
        config = {
            "name": args.name,
            "name_prefix": args.prefix,
            "allowed_domains": args.domain or [],
            "fields": _parse_fields(args.fields),
            "language": args.language,
            "button_text": args.button_text,
            "button_bg": args.button_bg,
            "button_fg": args.button_fg,
            "success_mode": "redirect" if args.redirect else "message",
            "redirect_url": args.redirect or "",
            "success_message": args.message or "",
            "consent_enabled": bool(args.consent),
            "consent_text": args.consent or "",
            "owner_id": _lookup_id(session, User, args.owner),
            "status_id": _lookup_id(session, Status, args.status),
            "source_id": _lookup_id(session, Source, args.source),
            "priority_id": _lookup_id(session, Priority, args.priority),
        }
        form = create_form(session, config)
        definition = form_definition(form)
    if redis_url:
        publish(Redis.from_url(redis_url), definition)
    base = os.environ.get("PUBLIC_BASE_URL", "https://YOUR-LEADCAPTURE-HOST").rstrip("/")
    print(f"Created form “{definition['name']}” with key {definition['key']}.")
    print(f'Embed: <script src="{base}/embed.js" data-form="{definition["key"]}" async></script>')
    if not redis_url:
        print("REDIS_URL is not set: run `leadcapture forms publish` before the form can take submissions.")
    return 0


# --- entry point ---------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadcapture", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run web + worker on SQLite and an embedded Redis")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    serve.add_argument("--data-dir", default=os.environ.get("LEADCAPTURE_DATA_DIR", ".leadcapture"))
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run RQ workers against REDIS_URL / DATABASE_URL")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.add_argument("--processes", type=int, default=1)
    worker.set_defaults(func=cmd_worker)

    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
    db.set_defaults(func=cmd_db)

    users = sub.add_parser("users", help="create users, reset passwords")
    users.add_argument("action", choices=["create", "reset-password"])
    users.add_argument("--email", required=True)
    users.add_argument("--role", default="sales", choices=["admin", "marketing", "sales"])
    users.add_argument("--name")
    users.add_argument("--password", help="default: generate and print one")
    users.set_defaults(func=cmd_users)

    forms = sub.add_parser("forms", help="create forms, republish the definition cache")
    forms.add_argument("action", choices=["create", "publish"])
    forms.add_argument("--name", default="Contact form")
    forms.add_argument("--domain", action="append", help="allowed domain; repeat for several")
    forms.add_argument("--fields", default="name*,email*,phone,description")
    forms.add_argument("--prefix", default="[Web]")
    forms.add_argument("--language", default="en", choices=["en", "ro", "lt", "fr"])
    forms.add_argument("--message", help="thank-you message")
    forms.add_argument("--redirect", help="thank-you page URL instead of a message")
    forms.add_argument("--consent", help="consent checkbox text (enables the checkbox)")
    forms.add_argument("--owner", help="owner's email")
    forms.add_argument("--status")
    forms.add_argument("--source")
    forms.add_argument("--priority")
    forms.add_argument("--button-text", default="Send")
    forms.add_argument("--button-bg", default="#1f6feb")
    forms.add_argument("--button-fg", default="#ffffff")
    forms.set_defaults(func=cmd_forms)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"leadcapture: {exc}", file=sys.stderr)
        return 2
    except ValidationFailed as exc:
        for field, messages in exc.fields.items():
            print(f"leadcapture: {field}: {' '.join(messages)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
