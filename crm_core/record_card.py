"""What an account's card and an offer's page show of their related records —
contacts, upcoming calls and meetings, open and lately done tasks, one page of
the timeline — read with the same bounds as a prospect's card
(``crm_core.prospects.card``), for any parent the viewer may see.

Who may see them is the parent's rule (``crm_core.related.check_parent_visible``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.activities.models import Activity
from crm_core.activities.queries import upcoming_activities
from crm_core.contacts.models import Contact
from crm_core.contacts.queries import contacts_of
from crm_core.lists.models import Priority
from crm_core.parents import Parent
from crm_core.prospects.card import done_tasks_of, open_tasks_of
from crm_core.related import check_parent_visible
from crm_core.tasks.models import Task, open_status
from crm_core.timeline import TimelinePage, timeline_page
from crm_core.users.models import User


@dataclass(frozen=True)
class RecordCard:
    parent: Parent
    record: Any  # the Account or Offer
    contacts: list[Contact]
    upcoming: list[Activity]
    open_tasks: list[Task]
    done_tasks: list[Task]
    open_task_count: int
    timeline: TimelinePage
    users: dict[int, User]
    priorities: list[Priority]

    @property
    def more_open_tasks(self) -> int:
        return max(0, self.open_task_count - len(self.open_tasks))

    @property
    def primary_contact(self) -> Contact | None:
        return next((c for c in self.contacts if c.is_primary), None)

    @property
    def active_users(self) -> list[User]:
        return sorted((u for u in self.users.values() if u.active), key=lambda u: (u.name, u.email))


def open_task_count(session: Session, parent: Parent) -> int:
    """Unlike a prospect, an account or an offer keeps no count on its row."""
    stmt = (
        select(func.count())
        .select_from(Task)
        .where(Task.parent_type == parent.type, Task.parent_id == parent.id, open_status())
    )
    return session.scalar(stmt) or 0


def load_record_card(
    session: Session, viewer: User, parent: Parent, *, filter_key: str = "all", after: str | None = None
) -> RecordCard:
    """The related records of ``parent`` (``NotFound`` when ``viewer`` may not see it)."""
    record = check_parent_visible(session, viewer, parent)
    return RecordCard(
        parent=parent,
        record=record,
        contacts=contacts_of(session, parent),
        upcoming=upcoming_activities(session, parent),
        open_tasks=open_tasks_of(session, parent),
        done_tasks=done_tasks_of(session, parent),
        open_task_count=open_task_count(session, parent),
        timeline=timeline_page(session, parent, filter_key=filter_key, after=after),
        users={u.id: u for u in session.scalars(select(User))},
        priorities=list(session.scalars(select(Priority).order_by(Priority.position, Priority.id))),
    )
