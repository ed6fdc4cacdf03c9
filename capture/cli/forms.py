"""``leadcapture forms create|publish``: create a form from the command line
(what a script or a deployment needs), or refill the definition cache in Redis."""

from __future__ import annotations

import argparse
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from capture.cli import environment
from capture.public.form_cache import publish_all, publish_on_commit
from crm_core.db import transaction
from crm_core.errors import ValidationFailed
from crm_core.forms.services import create_form
from crm_core.lists.models import Priority, Source, Status
from crm_core.users.models import User


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
    forms.set_defaults(func=run)


def _lookup_id(session: Session, model: Any, name: str | None) -> int | None:
    if not name:
        return None
    column = model.email if model is User else model.name
    found = session.scalar(select(model.id).where(column == name))
    if found is None:
        raise ValidationFailed({model.__tablename__: [f"“{name}” does not exist."]})
    return found


def _parse_fields(spec: str) -> list[dict[str, Any]]:
    """``name*,email*,phone,cf_budget`` — a star marks a required field."""
    return [
        {"name": item.rstrip("*"), "required": item.endswith("*")}
        for item in filter(None, (part.strip() for part in spec.split(",")))
    ]


def run(args: argparse.Namespace) -> int:
    settings = environment.settings()
    factory = environment.session_factory(settings)
    redis = environment.redis(settings)
    if args.action == "publish":
        if redis is None:
            environment.settings(needs=("REDIS_URL",))  # says REDIS_URL is missing
            return 2
        print(f"Published {publish_all(redis, factory)} form definition(s) to the cache.")
        return 0
    if redis is not None:
        publish_on_commit(factory, redis)
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
        name, key = form.name, form.key
    base = (settings.public_base_url or "https://YOUR-LEADCAPTURE-HOST").rstrip("/")
    print(f"Created form “{name}” with key {key}.")
    print(f'Embed: <script src="{base}/embed.js" data-form="{key}" async></script>')
    if redis is None:
        print("REDIS_URL is not set: run `leadcapture forms publish` before the form can take submissions.")
    return 0
