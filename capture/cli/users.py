"""``leadcapture users create|reset-password``: through the same services as
the admin's Users page, so the password policy applies and a reset ends every
session of the user."""

from __future__ import annotations

import argparse

from capture.cli import environment
from crm_core.db import transaction
from crm_core.users.services import create_user, generate_password, reset_password_by_email


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    users = sub.add_parser("users", help="create users, reset passwords")
    users.add_argument("action", choices=["create", "reset-password"])
    users.add_argument("--email", required=True)
    users.add_argument("--role", default="sales", choices=["admin", "marketing", "sales"])
    users.add_argument("--name")
    users.add_argument("--password", help="default: generate and print one")
    users.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    password = args.password or generate_password()
    with transaction(environment.session_factory(environment.settings())) as session:
        if args.action == "create":
            user = create_user(session, args.email, password, args.role, name=args.name or "")
        else:
            user = reset_password_by_email(session, args.email, password)
        email, role = user.email, user.role.value
    print(f"{email} ({role}) password: {password}" if not args.password else f"Saved {email}.")
    return 0
