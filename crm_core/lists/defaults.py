"""Statuses, sources and priorities: sensible defaults and how to find them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.models import Priority, Source, Status, StatusKind

DEFAULT_STATUSES = [
    ("New", "#2563eb", StatusKind.OPEN, True),
    ("In progress", "#d97706", StatusKind.OPEN, False),
    ("Qualified", "#16a34a", StatusKind.QUALIFIED, False),
    ("Unqualified", "#6b7280", StatusKind.JUNK, False),
    ("Converted", "#7c3aed", StatusKind.CONVERTED, False),
]
DEFAULT_SOURCES = [
    ("Web form", True),
    ("Referral", False),
    ("Marketing campaign", False),
    ("Phone", False),
    ("Email", False),
    ("Event", False),
    ("Other", False),
]
DEFAULT_PRIORITIES = [("Low", "#6b7280", False), ("Medium", "#d97706", True), ("High", "#dc2626", False)]


def ensure_default_lookups(session: Session) -> None:
    """Fill empty lists with defaults; lists an admin already edited are left alone."""
    if session.scalar(select(Status.id).limit(1)) is None:
        for pos, (name, color, kind, default) in enumerate(DEFAULT_STATUSES):
            session.add(Status(name=name, color=color, kind=kind, position=pos, is_default=default))
    if session.scalar(select(Source.id).limit(1)) is None:
        for pos, (name, default) in enumerate(DEFAULT_SOURCES):
            session.add(Source(name=name, position=pos, is_default=default))
    if session.scalar(select(Priority.id).limit(1)) is None:
        for pos, (name, color, default) in enumerate(DEFAULT_PRIORITIES):
            session.add(Priority(name=name, color=color, position=pos, is_default=default))
    session.flush()


def default_status_id(session: Session) -> int | None:
    return session.scalar(select(Status.id).order_by(Status.is_default.desc(), Status.position).limit(1))


def default_source_id(session: Session) -> int | None:
    return session.scalar(select(Source.id).order_by(Source.is_default.desc(), Source.position).limit(1))


def default_priority_id(session: Session) -> int | None:
    return session.scalar(
        select(Priority.id).order_by(Priority.is_default.desc(), Priority.position).limit(1)
    )
