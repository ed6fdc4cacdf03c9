"""Tasks: on a prospect (later an account or offer) or independent, owned by
the person responsible ("responsabil"); and the templates a status creates
tasks from when a prospect enters it."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import (
    ColumnElement,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    bindparam,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_core.db import Base, UTCDateTime, utcnow
from crm_core.lists.models import Priority
from crm_core.parents import PARENT_TYPE, Parent, ParentType
from crm_core.users.models import User


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
# The condition of the partial indexes on open tasks, as ``open_status()`` writes it in queries.
OPEN_WHERE = f"status IN ({', '.join(repr(s.value) for s in OPEN_STATUSES)})"
UNDATED_OPEN_WHERE = f"{OPEN_WHERE} AND due_date IS NULL"


def _open_index(name: str, *columns: str, where: str = OPEN_WHERE) -> Index:
    return Index(name, *columns, postgresql_where=text(where), sqlite_where=text(where))


class Assignee(enum.StrEnum):
    """Who a template's task goes to."""

    OWNER = "owner"  # the prospect's owner
    USER = "user"  # a fixed user


def _enum(cls: type[enum.StrEnum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        # One user's tasks by status and due date (the Tasks page with done ones shown).
        Index("ix_tasks_owner_status_due", "owner_id", "status", "due_date", "id"),
        # The Tasks page's groups and counts, one user's or everyone's, and the
        # navigation's count: open tasks only, already in each group's order, so
        # a group's first 50 are 50 index entries however many tasks there are.
        # (Two open statuses defeat ordered scans of the index above.)
        _open_index("ix_tasks_open_owner_due", "owner_id", "due_date", "due_time", "id"),
        _open_index("ix_tasks_open_owner_undated", "owner_id", "created_at", "id", where=UNDATED_OPEN_WHERE),
        _open_index("ix_tasks_open_due", "due_date", "due_time", "id", "owner_id"),
        _open_index("ix_tasks_open_undated", "created_at", "id", where=UNDATED_OPEN_WHERE),
        # A parent's tasks, and its timeline ("created" and "completed" entries).
        Index("ix_tasks_parent_created", "parent_type", "parent_id", "created_at", "id"),
        Index("ix_tasks_parent_completed", "parent_type", "parent_id", "completed_at"),
        # The owners report: tasks done in a range by owner (open ones overdue by
        # owner read ix_tasks_open_due, which carries the owner for that).
        Index(
            "ix_tasks_completed",
            "completed_at",
            "owner_id",
            postgresql_where=text("completed_at IS NOT NULL"),
            sqlite_where=text("completed_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # An independent task has no parent (seed 001: "o sarcină poate fi … independentă").
    parent_type: Mapped[ParentType | None] = mapped_column(PARENT_TYPE)
    parent_id: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    due_time: Mapped[time | None] = mapped_column(Time)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus), default=TaskStatus.OPEN)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a status's template created it.
    template_id: Mapped[int | None] = mapped_column(ForeignKey("task_templates.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    priority: Mapped[Priority | None] = relationship(lazy="joined")

    @property
    def parent(self) -> Parent | None:
        if self.parent_type is None or self.parent_id is None:
            return None
        return Parent(self.parent_type, self.parent_id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def open_status() -> ColumnElement[bool]:
    """The task is open or in progress, with the values written into the SQL
    rather than bound: SQLite uses a partial index only for a query term that
    matches the index's condition, and PostgreSQL cannot prove that condition
    from parameters in a generic (prepared) plan."""
    values = bindparam(
        "open_statuses", [s.value for s in OPEN_STATUSES], expanding=True, literal_execute=True
    )
    return Task.status.in_(values)


class TaskTemplate(Base):
    """A task a status creates whenever a prospect enters it (the Lithuanian
    CRM's "Nekontaktuota" → "Pirmas skambutis")."""

    __tablename__ = "task_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    status_id: Mapped[int] = mapped_column(ForeignKey("statuses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    due_in_days: Mapped[int] = mapped_column(Integer, default=0)
    priority_id: Mapped[int | None] = mapped_column(ForeignKey("priorities.id", ondelete="SET NULL"))
    assign_to: Mapped[Assignee] = mapped_column(_enum(Assignee), default=Assignee.OWNER)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
