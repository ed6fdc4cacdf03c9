"""How prospects read to people: one label per field (the detail page, the
edit form, the list's columns and the form builder's field choices all use
these), and the small lists a prospects page needs beside its rows —
statuses, priorities, sources, users and forms by id — loaded once per
request so the row query stays a single-table index scan."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.forms.models import WebForm
from crm_core.lists.models import Priority, Source, Status
from crm_core.users.models import User

FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "status_id": "Status",
    "priority_id": "Priority",
    "company": "Company",
    "trade_register_no": "Trade register no.",
    "registration_code": "Registration code (tax id)",
    "address": "Address",
    "postal_code": "Postal code",
    "city": "City",
    "county": "County",
    "country": "Country",
    "phone": "Phone",
    "email": "Email",
    "description": "Description",
    "owner_id": "Owner",
    "source_id": "Source",
    "imported_from": "Imported from",
}
# The list's columns: lookups by their name without "_id", plus those the edit form has not
# (the last two from the task and activity summary kept on the prospect).
COLUMN_LABELS: dict[str, str] = {
    **{
        key: FIELD_LABELS[key if key in FIELD_LABELS else f"{key}_id"]
        for key in ("name", "company", "status", "priority", "owner", "source", "email", "phone")
    },
    "created": "Created",
    "form": "Form",
    "next_task_due": "Next task due",
    "last_activity": "Last activity",
}


@dataclass(frozen=True)
class ListSnapshot:
    statuses: dict[int, Status]
    priorities: dict[int, Priority]
    sources: dict[int, Source]
    users: dict[int, User]
    forms: dict[int, str]

    @classmethod
    def load(cls, session: Session) -> ListSnapshot:
        return cls(
            statuses={s.id: s for s in session.scalars(select(Status).order_by(Status.position, Status.id))},
            priorities={
                p.id: p for p in session.scalars(select(Priority).order_by(Priority.position, Priority.id))
            },
            sources={s.id: s for s in session.scalars(select(Source).order_by(Source.position, Source.id))},
            users={u.id: u for u in session.scalars(select(User).order_by(User.name, User.email))},
            forms={
                row.id: row.name
                for row in session.execute(select(WebForm.id, WebForm.name).order_by(WebForm.name))
            },
        )

    @property
    def active_users(self) -> list[User]:
        return [u for u in self.users.values() if u.active]

    def row_dict(self, row: Any) -> dict[str, Any]:
        """One list row as the JSON list returns it."""
        status = self.statuses.get(row.status_id) if row.status_id else None
        priority = self.priorities.get(row.priority_id) if row.priority_id else None
        source = self.sources.get(row.source_id) if row.source_id else None
        owner = self.users.get(row.owner_id) if row.owner_id else None
        return {
            "id": row.id,
            "name": row.name,
            "company": row.company,
            "status": {"id": status.id, "name": status.name, "color": status.color} if status else None,
            "priority": {"id": priority.id, "name": priority.name} if priority else None,
            "owner": {"id": owner.id, "name": owner.display_name} if owner else None,
            "source": {"id": source.id, "name": source.name} if source else None,
            "form": {"id": row.form_id, "name": self.forms.get(row.form_id, "")} if row.form_id else None,
            "email": row.email,
            "phone": row.phone,
            "created_at": row.created_at.isoformat(),
            "open_tasks": row.open_tasks,
            "next_task_due": row.next_task_due.isoformat() if row.next_task_due else None,
            "last_activity_at": row.last_activity_at.isoformat() if row.last_activity_at else None,
        }
