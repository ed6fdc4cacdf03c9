"""First-run setup shared by ``leadcapture serve`` and the scripting commands:
default lists, the first admin, and a demo form."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.forms.services import create_form, update_form
from crm_core.lists.defaults import ensure_default_lookups
from crm_core.models import Role, User, WebForm
from crm_core.users.services import count_users, create_user

DEMO_FORM_NAME = "Demo: contact us"


@dataclass
class FirstAdmin:
    email: str
    password: str


def ensure_first_admin(session: Session, email: str = "admin@example.com") -> FirstAdmin | None:
    """Create an admin when there are no users at all; the password is shown once."""
    ensure_default_lookups(session)
    if count_users(session):
        return None
    password = secrets.token_urlsafe(12)
    create_user(session, email=email, password=password, role=Role.ADMIN, name="Admin")
    return FirstAdmin(email, password)


def demo_form_config(domains: list[str], owner_id: int | None) -> dict[str, object]:
    return {
        "name": DEMO_FORM_NAME,
        "name_prefix": "[Web]",
        "owner_id": owner_id,
        "allowed_domains": domains,
        "success_message": "Thank you! We will be in touch within one business day.",
        "button_text": "Send",
        "consent_enabled": True,
        "consent_text": 'I agree to be contacted about my request (<a href="https://example.com/privacy">privacy</a>).',
        "fields": [
            {"name": "name", "label": "Full name", "required": True},
            {"name": "email", "label": "Email", "required": True},
            {"name": "phone", "label": "Phone"},
            {"name": "company", "label": "Company"},
            {"name": "description", "label": "How can we help?"},
        ],
    }


def ensure_demo_form(session: Session, domains: list[str]) -> WebForm:
    """The demo form, allowed on the local addresses the server runs on now."""
    ensure_default_lookups(session)
    owner_id = session.scalar(select(User.id).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    form = session.scalar(select(WebForm).where(WebForm.name == DEMO_FORM_NAME))
    if form is None:
        return create_form(session, demo_form_config(domains, owner_id))
    if set(domains) - set(form.allowed_domains):
        config = demo_form_config(sorted(set(form.allowed_domains) | set(domains)), form.owner_id)
        return update_form(session, form.id, config)
    return form
