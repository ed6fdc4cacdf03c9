"""The demo prospect ``leadcapture serve`` shows a newcomer: a lead already
being worked — a contact, a call that was held, an open task and a note with
a link — so the prospect card has something on each panel and in its
timeline from the first minute. Written through the same services as the
admin pages, so it obeys the same rules."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.activities.services import log_activity
from crm_core.clock import now, to_local, today
from crm_core.contacts.services import add_contact
from crm_core.lists.services import ensure_default_lists
from crm_core.notes.services import add_note
from crm_core.parents import Parent
from crm_core.prospects.models import Prospect
from crm_core.prospects.services import create_prospect
from crm_core.tasks.services import create_task
from crm_core.users.models import User

DEMO_PROSPECT_NAME = "[Demo] Ioana Marin"
UTC_ZONE = ZoneInfo("UTC")


def ensure_demo_prospect(session: Session, owner: User, zone: ZoneInfo = UTC_ZONE) -> Prospect:
    """The demo prospect, owned by ``owner``; created once (found by its name afterwards)."""
    found = session.scalar(select(Prospect).where(Prospect.name == DEMO_PROSPECT_NAME).limit(1))
    if found is not None:
        return found
    ensure_default_lists(session)
    prospect = create_prospect(
        session,
        owner,
        {
            "name": DEMO_PROSPECT_NAME,
            "company": "Brădet Construct SRL",
            "city": "Brașov",
            "country": "România",
            "phone": "+40 722 000 123",
            "email": "ioana.marin@example.com",
            "description": "Asked for a quote for 40 units through the website.",
            "owner_id": str(owner.id),
        },
        zone=zone,
    )
    parent = Parent.prospect(prospect.id)
    contact = add_contact(
        session,
        owner,
        parent,
        {
            "name": "Ioana Marin",
            "job_title": "Director de achiziții",
            "department": "Achiziții",
            "phone": "+40 722 000 123",
            "email": "ioana.marin@example.com",
        },
    )
    called = to_local(now() - timedelta(days=1), zone).replace(minute=0, second=0, microsecond=0)
    log_activity(
        session,
        owner,
        parent,
        {
            "kind": "call",
            "subject": "First call",
            "starts_at": called.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": "15",
            "status": "held",
            "direction": "outbound",
            "contact_ids": [contact.id],
            "outcome": "Interested. Needs the offer before the end of the month.",
        },
        zone,
    )
    create_task(
        session,
        owner,
        parent,
        {"name": "Send the price offer", "due_date": (today(zone) + timedelta(days=1)).isoformat()},
    )
    add_note(
        session,
        owner,
        parent,
        {"body": "Wants delivery before spring.\nTheir specifications: https://example.com/specs"},
    )
    session.flush()
    return prospect
