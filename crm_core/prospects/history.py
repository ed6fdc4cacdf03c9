"""A prospect's history: who changed what, and when, in the words people
read ("New" → "Qualified", not ids), so it stays true after a status or user
is renamed or removed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.prospects.models import ProspectChange
from crm_core.prospects.schemas import LOOKUP_FIELDS
from crm_core.users.models import User

# The pseudo-field of an imported prospect's "created" entry: the file it came from.
IMPORTED_FROM = "imported_from"


def display_value(session: Session, field: str, value: Any) -> str:
    """A value as people read it in the history."""
    if value is None:
        return ""
    model = LOOKUP_FIELDS.get(field)
    if model is None:
        return str(value)
    row = session.get(model, value)
    if row is None:
        return f"#{value}"
    return row.display_name if isinstance(row, User) else row.name


def record_change(
    session: Session, prospect_id: int, editor: User, action: str, changes: dict[str, list[str]]
) -> None:
    session.add(ProspectChange(prospect_id=prospect_id, user_id=editor.id, action=action, changes=changes))


def history(session: Session, prospect_id: int) -> list[ProspectChange]:
    stmt = (
        select(ProspectChange)
        .where(ProspectChange.prospect_id == prospect_id)
        .order_by(ProspectChange.created_at.desc(), ProspectChange.id.desc())
    )
    return list(session.scalars(stmt))
