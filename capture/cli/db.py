"""``leadcapture db upgrade|downgrade``: Alembic migrations, then the default lists."""

from __future__ import annotations

import argparse

from capture.cli import environment
from crm_core.db import transaction
from crm_core.lists.services import ensure_default_lists
from crm_core.migrate import downgrade, upgrade


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = sub.add_parser("db", help="database migrations")
    db.add_argument("action", choices=["upgrade", "downgrade"])
    db.add_argument("revision", nargs="?")
    db.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = environment.settings()
    if args.action == "upgrade":
        upgrade(settings.database_url, args.revision or "head")
        with transaction(environment.session_factory(settings)) as session:
            ensure_default_lists(session)
        print("Database is up to date.")
    else:
        downgrade(settings.database_url, args.revision or "-1")
        print(f"Database downgraded to {args.revision or '-1'}.")
    return 0
