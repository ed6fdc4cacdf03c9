"""Reading the lists: their values in order, the default of each, and how many
prospects and forms use a value (what a delete must move first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.forms.models import WebForm
from crm_core.lists.kinds import ListKind
from crm_core.lists.models import Priority, Source, Status
from crm_core.prospects.models import Prospect


@dataclass(frozen=True)
class Usage:
    prospects: int = 0
    forms: int = 0

    @property
    def in_use(self) -> bool:
        return bool(self.prospects or self.forms)

    def describe(self) -> str:
        parts = []
        if self.prospects:
            parts.append(f"{self.prospects} prospect{'s' if self.prospects != 1 else ''}")
        if self.forms:
            parts.append(f"{self.forms} form{'s' if self.forms != 1 else ''}")
        return " and ".join(parts) or "nothing"


def list_values(session: Session, kind: ListKind) -> list[Any]:
    model = kind.model
    return list(session.scalars(select(model).order_by(model.position, model.name)))


def get_value(session: Session, kind: ListKind, value_id: int) -> Any:
    value = session.get(kind.model, value_id)
    if value is None:
        raise NotFound(f"This {kind.singular} no longer exists.")
    return value


def usage_of(session: Session, kind: ListKind, value_id: int) -> Usage:
    prospects = session.scalar(
        select(func.count(Prospect.id)).where(getattr(Prospect, kind.column) == value_id)
    )
    forms = session.scalar(select(func.count(WebForm.id)).where(getattr(WebForm, kind.column) == value_id))
    return Usage(prospects or 0, forms or 0)


def usage_by_value(session: Session, kind: ListKind) -> dict[int, Usage]:
    counts: dict[int, list[int]] = {}
    for model, slot in ((Prospect, 0), (WebForm, 1)):
        column = getattr(model, kind.column)
        for value_id, count in session.execute(
            select(column, func.count(model.id)).where(column.is_not(None)).group_by(column)
        ):
            counts.setdefault(value_id, [0, 0])[slot] = count
    return {value_id: Usage(*pair) for value_id, pair in counts.items()}


def default_status_id(session: Session) -> int | None:
    return session.scalar(select(Status.id).order_by(Status.is_default.desc(), Status.position).limit(1))


def default_source_id(session: Session) -> int | None:
    return session.scalar(select(Source.id).order_by(Source.is_default.desc(), Source.position).limit(1))


def default_priority_id(session: Session) -> int | None:
    return session.scalar(
        select(Priority.id).order_by(Priority.is_default.desc(), Priority.position).limit(1)
    )
