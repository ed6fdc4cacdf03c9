"""The fields a new form starts with, and the demo form ``leadcapture serve``
shows a newcomer: one definition of "a typical contact form" for the admin's
"New form", the demo page and the first-run setup."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.forms.models import WebForm
from crm_core.forms.services import create_form, update_form
from crm_core.lists.services import ensure_default_lists
from crm_core.users.models import Role, User

# What nearly every contact form asks.
STARTER_FIELDS: list[dict[str, Any]] = [
    {"name": "name", "label": "Full name", "required": True},
    {"name": "email", "label": "Email", "required": True},
    {"name": "phone", "label": "Phone"},
    {"name": "description", "label": "How can we help?"},
]

DEMO_FORM_NAME = "Demo: contact us"


def demo_form_config(domains: list[str], owner_id: int | None) -> dict[str, Any]:
    return {
        "name": DEMO_FORM_NAME,
        "name_prefix": "[Web]",
        "owner_id": owner_id,
        "allowed_domains": domains,
        "success_message": "Thank you! We will be in touch within one business day.",
        "button_text": "Send",
        "consent_enabled": True,
        "consent_text": 'I agree to be contacted about my request (<a href="https://example.com/privacy">privacy</a>).',
        # The starter fields, with the company between phone and message.
        "fields": [*STARTER_FIELDS[:3], {"name": "company", "label": "Company"}, STARTER_FIELDS[3]],
    }


def ensure_demo_form(session: Session, domains: list[str]) -> WebForm:
    """The demo form, allowed on the local addresses the server runs on now."""
    ensure_default_lists(session)
    owner_id = session.scalar(select(User.id).where(User.role == Role.ADMIN).order_by(User.id).limit(1))
    form = session.scalar(select(WebForm).where(WebForm.name == DEMO_FORM_NAME))
    if form is None:
        return create_form(session, demo_form_config(domains, owner_id))
    if set(domains) - set(form.allowed_domains):
        config = demo_form_config(sorted(set(form.allowed_domains) | set(domains)), form.owner_id)
        return update_form(session, form.id, config)
    return form
