"""What a prospect's card shows beside its fields: its contacts, its upcoming
calls and meetings, its open tasks and the ones done lately, and one page of
its timeline — each read with a bound, so a prospect with thousands of
records costs what one with ten does.

Who may see it is the prospect's rule (``get_visible_prospect``): whoever may
see the prospect sees all of its records (``crm_core.related``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.activities.models import Activity
from crm_core.activities.queries import upcoming_activities
from crm_core.contacts.models import Contact
from crm_core.contacts.queries import contacts_of
from crm_core.lists.models import Priority
from crm_core.parents import Parent
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.tasks.models import Task, TaskStatus, open_status
from crm_core.timeline import TimelinePage, timeline_page
from crm_core.users.models import User

OPEN_TASKS_LIMIT = 50
DONE_TASKS_LIMIT = 10


@dataclass(frozen=True)
class ProspectCard:
    prospect: Prospect
    contacts: list[Contact]
    upcoming: list[Activity]
    open_tasks: list[Task]
    done_tasks: list[Task]
    timeline: TimelinePage
    # Everyone by id (names of creators and owners in the timeline) and the
    # choices of the card's forms.
    users: dict[int, User]
    priorities: list[Priority]

    @property
    def parent(self) -> Parent:
        return Parent.prospect(self.prospect.id)

    @property
    def more_open_tasks(self) -> int:
        """Open tasks beyond the ones shown (the count is kept on the prospect row)."""
        return max(0, self.prospect.open_tasks - len(self.open_tasks))

    @property
    def open_task_count(self) -> int:
        return self.prospect.open_tasks

    @property
    def primary_contact(self) -> Contact | None:
        return next((c for c in self.contacts if c.is_primary), None)

    @property
    def active_users(self) -> list[User]:
        return sorted((u for u in self.users.values() if u.active), key=lambda u: (u.name, u.email))


def open_tasks_of(session: Session, parent: Parent, limit: int = OPEN_TASKS_LIMIT) -> list[Task]:
    """Open tasks, soonest due first, those without a due date last."""
    stmt = (
        select(Task)
        .where(Task.parent_type == parent.type, Task.parent_id == parent.id, open_status())
        .order_by(Task.due_date.is_(None), Task.due_date, Task.due_time.is_(None), Task.due_time, Task.id)
        .limit(limit)
    )
    return list(session.scalars(stmt))


def done_tasks_of(session: Session, parent: Parent, limit: int = DONE_TASKS_LIMIT) -> list[Task]:
    """The tasks completed most recently."""
    stmt = (
        select(Task)
        .where(Task.parent_type == parent.type, Task.parent_id == parent.id, Task.status == TaskStatus.DONE)
        .order_by(Task.completed_at.desc(), Task.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def load_card(
    session: Session,
    viewer: User,
    prospect_id: int,
    *,
    filter_key: str = "all",
    after: str | None = None,
) -> ProspectCard:
    """The card of a prospect ``viewer`` may see (``NotFound`` otherwise), with
    the timeline page after the cursor ``after`` in the filter ``filter_key``."""
    prospect = get_visible_prospect(session, viewer, prospect_id)
    parent = Parent.prospect(prospect.id)
    return ProspectCard(
        prospect=prospect,
        contacts=contacts_of(session, parent),
        upcoming=upcoming_activities(session, parent),
        open_tasks=open_tasks_of(session, parent),
        done_tasks=done_tasks_of(session, parent),
        timeline=timeline_page(session, parent, filter_key=filter_key, after=after),
        users={u.id: u for u in session.scalars(select(User))},
        priorities=list(session.scalars(select(Priority).order_by(Priority.position, Priority.id))),
    )
