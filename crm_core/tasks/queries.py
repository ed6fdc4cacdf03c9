"""Reading tasks: who may see which, a record's tasks, the Tasks page grouped
overdue / today / upcoming / no date, and the count in the navigation.

Sales see the tasks assigned to them and the tasks on the prospects,
accounts and offers they may see (they own it, or, for an offer, its account);
admins and marketing see all (``crm_core.permissions.can_see_all_tasks``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, true
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account
from crm_core.accounts.visibility import account_clauses
from crm_core.clock import now
from crm_core.errors import NotFound
from crm_core.offers.models import Offer
from crm_core.offers.visibility import offer_clauses
from crm_core.paging import Page, keyset_page
from crm_core.parents import Parent, ParentType
from crm_core.permissions import can_see_all_tasks
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import visible_clauses
from crm_core.tasks.models import Task, TaskStatus, open_status
from crm_core.users.models import User

GROUP_LIMIT = 50
# "Show more" on the Tasks page grows one group by GROUP_LIMIT at a time, up to this.
GROUP_MAX = 1000
GROUPS = ("overdue", "today", "upcoming", "no_date")
GROUP_LABELS = {"overdue": "Overdue", "today": "Today", "upcoming": "Upcoming", "no_date": "No due date"}


def visible_task_clauses(viewer: User) -> list[ColumnElement[bool]]:
    if can_see_all_tasks(viewer):
        return []
    own_prospects = select(Prospect.id).where(Prospect.owner_id == viewer.id)
    own_accounts = select(Account.id).where(*account_clauses(viewer))
    seen_offers = select(Offer.id).where(*offer_clauses(viewer))
    return [
        or_(
            Task.owner_id == viewer.id,
            and_(Task.parent_type == ParentType.PROSPECT, Task.parent_id.in_(own_prospects)),
            and_(Task.parent_type == ParentType.ACCOUNT, Task.parent_id.in_(own_accounts)),
            and_(Task.parent_type == ParentType.OFFER, Task.parent_id.in_(seen_offers)),
        )
    ]


def get_visible_task(session: Session, viewer: User, task_id: int) -> Task:
    task = session.scalar(select(Task).where(Task.id == task_id, *visible_task_clauses(viewer)))
    if task is None:
        raise NotFound("This task no longer exists, or it is not yours to see.")
    return task


def tasks_of(session: Session, parent: Parent, *, include_closed: bool = True) -> list[Task]:
    """A record's tasks: open ones by due date first, then the closed ones, newest first."""
    stmt = select(Task).where(Task.parent_type == parent.type, Task.parent_id == parent.id)
    if not include_closed:
        stmt = stmt.where(open_status())
    tasks = list(session.scalars(stmt.order_by(Task.created_at.desc(), Task.id.desc())))
    open_tasks = sorted((t for t in tasks if t.is_open), key=_due_key)
    return open_tasks + [t for t in tasks if not t.is_open]


def _due_key(task: Task) -> tuple[date, time, int]:
    return (task.due_date or date.max, task.due_time or time.max, task.id)


@dataclass(frozen=True)
class TaskGroup:
    key: str
    label: str
    tasks: list[Task]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.tasks)


def _scope(owner_ids: list[int] | None, include_done: bool) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if owner_ids is not None:
        clauses.append(Task.owner_id.in_(owner_ids))
    if not include_done:
        clauses.append(open_status())
    return clauses


def tasks_page(
    session: Session,
    owner_ids: list[int] | None,
    zone: ZoneInfo,
    *,
    include_done: bool = False,
    limit: int = GROUP_LIMIT,
    limits: Mapping[str, int] | None = None,
) -> list[TaskGroup]:
    """The Tasks page for the given owners (``None``: everyone's), in four groups
    by due date in the instance's zone, each with its total and its first
    ``limit`` tasks. ``limits`` raises one group's limit (the page's "show
    more"), at most ``GROUP_MAX``.

    Open tasks are read through the partial indexes on open tasks
    (``ix_tasks_open_*``), which hold each group in its display order: a group's
    first 50 tasks are 50 index entries whether its owner has 50 open tasks or
    10,000, and the four totals are one pass over the owner's index entries."""
    local_now = now().astimezone(zone)
    today, clock = local_now.date(), local_now.time().replace(tzinfo=None)
    base = _scope(owner_ids, include_done)
    late_today = and_(Task.due_date == today, Task.due_time.is_not(None), Task.due_time < clock)
    conditions: dict[str, ColumnElement[bool]] = {
        # The first term is implied by the second; it is what makes "overdue" one
        # index range instead of a scan (a planner does not derive a range from an OR).
        "overdue": and_(Task.due_date <= today, or_(Task.due_date < today, late_today)),
        "today": and_(Task.due_date == today, or_(Task.due_time.is_(None), Task.due_time >= clock)),
        "upcoming": Task.due_date > today,
        "no_date": Task.due_date.is_(None),
    }
    order = {
        "overdue": (Task.due_date, Task.due_time, Task.id),
        "today": (Task.due_time, Task.id),
        "upcoming": (Task.due_date, Task.due_time, Task.id),
        "no_date": (Task.created_at.desc(), Task.id.desc()),
    }
    totals = session.execute(
        select(*(func.count().filter(conditions[key]) for key in GROUPS)).select_from(Task).where(*base)
    ).one()
    groups = []
    for key, total in zip(GROUPS, totals, strict=True):
        shown = min(max((limits or {}).get(key, limit), 1), GROUP_MAX)
        stmt: Select[tuple[Task]] = (
            select(Task).where(*base, conditions[key]).order_by(*order[key]).limit(shown)
        )
        tasks = list(session.scalars(stmt)) if total else []
        groups.append(TaskGroup(key, GROUP_LABELS[key], tasks, total or 0))
    return groups


def due_count(session: Session, user: User, zone: ZoneInfo) -> int:
    """The user's open tasks that are overdue or due today: the number beside
    "Tasks" in the navigation. One range of an index on the owner's tasks,
    read from the index alone (``ix_tasks_open_owner_due`` on PostgreSQL)."""
    today = datetime.now(zone).date()
    return (
        session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.owner_id == user.id, open_status(), Task.due_date <= today)
        )
        or 0
    )


@dataclass(frozen=True)
class ParentName:
    """What a task list shows of a task's prospect (account, offer): its name, and whether the
    viewer may open it (a task delegated to sales on someone else's prospect
    names it, without a link the viewer could not follow)."""

    name: str
    can_open: bool
    type: ParentType = ParentType.PROSPECT

    @property
    def kind_label(self) -> str:
        return self.type.value.capitalize()


def parent_names(
    session: Session, viewer: User, tasks: Iterable[Task]
) -> dict[tuple[ParentType, int], ParentName]:
    """The parent prospects, accounts and offers of ``tasks`` by (type, id), in
    one query per kind of parent."""
    ids: dict[ParentType, set[int]] = {}
    for task in tasks:
        if task.parent_type is not None and task.parent_id is not None:
            ids.setdefault(task.parent_type, set()).add(task.parent_id)
    sources: dict[ParentType, tuple[Any, list[ColumnElement[bool]]]] = {
        ParentType.PROSPECT: (Prospect, visible_clauses(viewer)),
        ParentType.ACCOUNT: (Account, account_clauses(viewer)),
        ParentType.OFFER: (Offer, offer_clauses(viewer)),
    }
    names: dict[tuple[ParentType, int], ParentName] = {}
    for parent_type, wanted in ids.items():
        model, clauses = sources[parent_type]
        visible = and_(*clauses) if clauses else true()
        rows = session.execute(select(model.id, model.name, visible).where(model.id.in_(sorted(wanted))))
        for row_id, name, can_open in rows:
            names[(parent_type, row_id)] = ParentName(name, bool(can_open), parent_type)
    return names


def task_list(
    session: Session,
    viewer: User,
    *,
    parent: Parent | None = None,
    independent: bool = False,
    owner_ids: list[int] | None = None,
    statuses: list[TaskStatus] | None = None,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
) -> Page:
    """Tasks ``viewer`` may see, newest first, a keyset page at a time (the
    API's lists): a record's (``parent``), the independent ones, or all."""
    stmt = select(Task).where(*visible_task_clauses(viewer))
    if parent is not None:
        stmt = stmt.where(Task.parent_type == parent.type, Task.parent_id == parent.id)
    elif independent:
        stmt = stmt.where(Task.parent_type.is_(None))
    if owner_ids:
        stmt = stmt.where(Task.owner_id.in_(owner_ids))
    if statuses:
        stmt = stmt.where(Task.status.in_(statuses))
    return keyset_page(
        session,
        stmt,
        sort="-created",
        column=Task.created_at,
        id_column=Task.id,
        key_of=lambda row: (row[0].created_at, row[0].id),
        after=after,
        before=before,
        limit=limit,
    )
