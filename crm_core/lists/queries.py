"""Reading the lists: their values in order, the default of each, and how many
records use a value (what a delete must move first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.lists.kinds import ListKind
from crm_core.lists.models import Priority, Source, Status


@dataclass(frozen=True)
class Usage:
    """How many records of each kind use a value: {"prospect": 3, "form": 1}."""

    counts: dict[str, int] = field(default_factory=dict)

    @property
    def in_use(self) -> bool:
        return any(self.counts.values())

    def count(self, noun: str) -> int:
        return self.counts.get(noun, 0)

    def describe(self) -> str:
        parts = [f"{n} {noun}{'s' if n != 1 else ''}" for noun, n in self.counts.items() if n]
        if not parts:
            return "nothing"
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def list_values(session: Session, kind: ListKind) -> list[Any]:
    model = kind.model
    return list(session.scalars(select(model).order_by(model.position, model.name)))


def get_value(session: Session, kind: ListKind, value_id: int) -> Any:
    value = session.get(kind.model, value_id)
    if value is None:
        raise NotFound(f"This {kind.singular} no longer exists.")
    return value


def usage_of(session: Session, kind: ListKind, value_id: int) -> Usage:
    counts = {}
    for ref in kind.used_by:
        column = getattr(ref.model, ref.column)
        counts[ref.noun] = (
            session.scalar(select(func.count()).select_from(ref.model).where(column == value_id)) or 0
        )
    return Usage(counts)


def usage_by_value(session: Session, kind: ListKind) -> dict[int, Usage]:
    counts: dict[int, dict[str, int]] = {}
    for ref in kind.used_by:
        column = getattr(ref.model, ref.column)
        for value_id, count in session.execute(
            select(column, func.count()).where(column.is_not(None)).group_by(column)
        ):
            counts.setdefault(value_id, {})[ref.noun] = count
    return {value_id: Usage(nouns) for value_id, nouns in counts.items()}


def default_status_id(session: Session) -> int | None:
    return session.scalar(select(Status.id).order_by(Status.is_default.desc(), Status.position).limit(1))


def default_source_id(session: Session) -> int | None:
    return session.scalar(select(Source.id).order_by(Source.is_default.desc(), Source.position).limit(1))


def default_priority_id(session: Session) -> int | None:
    return session.scalar(
        select(Priority.id).order_by(Priority.is_default.desc(), Priority.position).limit(1)
    )
