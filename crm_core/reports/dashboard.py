"""The home page after login: what to do today and how the pipeline stands.

- my open tasks that are overdue or due today (the Tasks page's groups, in the
  instance's time zone);
- new prospects today, this week so far, and last week — in full and up to the
  same point — so "this week vs last week" compares like with like;
- the pipeline: how many prospects are in each status now.

Every figure respects the role rule (sales: their own prospects). Forms that
need an admin's eye (failed jobs, spam held) come from Redis and are added by
the web layer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from crm_core.clock import local_midnight, now
from crm_core.lists.models import Status
from crm_core.parents import ParentType
from crm_core.prospects.filters import ProspectFilter
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import visible_clauses
from crm_core.reports.periods import week_start
from crm_core.reports.planning import for_short_reads
from crm_core.reports.tallies import Filters, counts_by
from crm_core.tasks.models import Task
from crm_core.tasks.queries import TaskGroup, tasks_page
from crm_core.users.models import User

TASKS_SHOWN = 8


@dataclass(frozen=True)
class NewProspects:
    today: int
    this_week: int  # Monday 00:00 until now
    last_week_to_date: int  # last Monday 00:00 until a week ago now
    last_week: int  # all of last week
    today_date: date
    week_start: date

    @property
    def change(self) -> float | None:
        """This week so far against last week up to the same point (0.25 = 25 % more)."""
        if not self.last_week_to_date:
            return None
        return self.this_week / self.last_week_to_date - 1


@dataclass(frozen=True)
class PipelineStage:
    status: Status
    count: int


@dataclass(frozen=True)
class Home:
    overdue: TaskGroup
    today: TaskGroup
    task_names: dict[int, str]  # prospect id → name, for the tasks' "on …" links
    new: NewProspects
    pipeline: Sequence[PipelineStage]

    @property
    def pipeline_total(self) -> int:
        return sum(stage.count for stage in self.pipeline)


def _count(session: Session, clauses: list[ColumnElement[bool]]) -> int:
    return session.scalar(select(func.count()).select_from(Prospect).where(*clauses)) or 0


def new_prospects(
    session: Session, viewer: User, zone: ZoneInfo, moment: datetime | None = None
) -> NewProspects:
    moment = moment or now()
    local_today = moment.astimezone(zone).date()
    monday = week_start(local_today)
    seen = visible_clauses(viewer)
    created = Prospect.created_at

    def between(start: datetime, end: datetime) -> int:
        return _count(session, [*seen, created >= start, created < end])

    this_monday = local_midnight(monday, zone)
    last_monday = local_midnight(monday - timedelta(days=7), zone)
    return NewProspects(
        today=between(local_midnight(local_today, zone), moment + timedelta(microseconds=1)),
        this_week=between(this_monday, moment + timedelta(microseconds=1)),
        last_week_to_date=between(last_monday, moment - timedelta(days=7) + timedelta(microseconds=1)),
        last_week=between(last_monday, this_monday),
        today_date=local_today,
        week_start=monday,
    )


def pipeline(session: Session, viewer: User) -> list[PipelineStage]:
    """Prospects per status now, every status in the statuses' order (from the tallies)."""
    statuses = list(session.scalars(select(Status).order_by(Status.position, Status.id)))
    counts = counts_by(session, ("status",), Filters.of(ProspectFilter(), viewer))
    return [PipelineStage(status, counts.get((status.id,), 0)) for status in statuses]


def home(session: Session, viewer: User, zone: ZoneInfo) -> Home:
    for_short_reads(session)
    groups = {group.key: group for group in tasks_page(session, [viewer.id], zone, limit=TASKS_SHOWN)}
    prospect_ids = {
        task.parent_id
        for key in ("overdue", "today")
        for task in groups[key].tasks
        if task.parent_type == ParentType.PROSPECT and task.parent_id is not None
    }
    names: dict[int, str] = {}
    if prospect_ids:
        names = dict(
            session.execute(
                select(Prospect.id, Prospect.name).where(
                    Prospect.id.in_(prospect_ids), *visible_clauses(viewer)
                )
            ).all()
        )
    return Home(
        overdue=groups["overdue"],
        today=groups["today"],
        task_names=names,
        new=new_prospects(session, viewer, zone),
        pipeline=pipeline(session, viewer),
    )


def task_is_on_prospect(task: Task) -> bool:
    return task.parent_type == ParentType.PROSPECT and task.parent_id is not None
