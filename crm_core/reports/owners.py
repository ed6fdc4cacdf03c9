"""Owners (managers' effectiveness, Bitrix24): per person, in the range —
new prospects they own, conversions of their prospects, calls / emails /
meetings held, tasks done — and their open tasks overdue today.

Each figure is a grouped count on its own table's index. The list's filters
(source, status, priority, form) narrow the prospect figures; the owner filter
narrows them all. Sales see only their own row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from crm_core.activities.models import Activity, ActivityStatus
from crm_core.clock import today
from crm_core.prospects.filters import OWNER_ME, OWNER_NONE
from crm_core.prospects.labels import ListSnapshot
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import is_restricted
from crm_core.reports.planning import for_short_reads
from crm_core.reports.scope import ReportFilter, prospect_clauses
from crm_core.reports.tables import CellKind, Chart, Column, Linked, Report, Series, Table, colour
from crm_core.reports.tallies import Filters, counts_by_period
from crm_core.tasks.models import OPEN_STATUSES, Task, TaskStatus
from crm_core.users.models import User

FIGURES = (
    ("new", "New prospects"),
    ("converted", "Conversions"),
    ("activities", "Activities held"),
    ("tasks_done", "Tasks done"),
    ("tasks_overdue", "Tasks overdue now"),
)


def _owner_clauses(column: Any, flt: ReportFilter, viewer: User) -> list[ColumnElement[bool]]:
    """The role rule and the owner filter, for a table's owner column."""
    clauses: list[ColumnElement[bool]] = []
    if is_restricted(viewer):
        clauses.append(column == viewer.id)
    tokens = flt.prospects.owner
    if tokens:
        ids = sorted({viewer.id if t == OWNER_ME else int(t) for t in tokens if t != OWNER_NONE})
        options: list[ColumnElement[bool]] = [column.in_(ids)] if ids else []
        if OWNER_NONE in tokens:
            options.append(column.is_(None))
        clauses.append(or_(*options))
    return clauses


def owner_figures(session: Session, viewer: User, flt: ReportFilter) -> dict[str, dict[int | None, int]]:
    start, end = flt.range.utc_start, flt.range.utc_end
    prospects = prospect_clauses(flt, viewer)
    new = counts_by_period(session, [start], end, ("owner",), Filters.of(flt.prospects, viewer))
    queries = {
        "converted": select(Prospect.owner_id, func.count()).where(
            Prospect.converted_at >= start, Prospect.converted_at < end, *prospects
        ),
        "activities": select(Activity.owner_id, func.count()).where(
            Activity.status == ActivityStatus.HELD,
            Activity.starts_at >= start,
            Activity.starts_at < end,
            *_owner_clauses(Activity.owner_id, flt, viewer),
        ),
        "tasks_done": select(Task.owner_id, func.count()).where(
            Task.status == TaskStatus.DONE,
            Task.completed_at >= start,
            Task.completed_at < end,
            *_owner_clauses(Task.owner_id, flt, viewer),
        ),
        "tasks_overdue": select(Task.owner_id, func.count()).where(
            Task.status.in_(OPEN_STATUSES),
            Task.due_date < today(flt.range.zone),
            *_owner_clauses(Task.owner_id, flt, viewer),
        ),
    }
    figures: dict[str, dict[int | None, int]] = {"new": {owner: n for (_p, owner), n in new.items()}}
    for key, stmt in queries.items():
        owner = stmt.selected_columns[0]
        figures[key] = {owner_id: count for owner_id, count in session.execute(stmt.group_by(owner))}
    return figures


def owners_report(session: Session, viewer: User, flt: ReportFilter) -> Report:
    for_short_reads(session)
    lists = ListSnapshot.load(session)
    figures = owner_figures(session, viewer, flt)
    present = {owner for counts in figures.values() for owner in counts}
    owners: list[int | None] = [u for u in lists.users if u in present]
    owners += sorted(o for o in present if o is not None and o not in lists.users)
    if None in present:
        owners.append(None)
    created_range = {"created_from": flt.range.start.isoformat(), "created_to": flt.range.end.isoformat()}
    rows: list[list[Any]] = []
    for owner in owners:
        name = lists.users[owner].display_name if owner in lists.users else "(nobody)"
        label: Any = name
        if owner is not None:
            label = Linked(name, ("prospects", flt.list_filter(owner=owner, **created_range)))
        rows.append([label, *[figures[key].get(owner, 0) for key, _ in FIGURES]])
    rows.append(["Total", *[sum(figures[key].values()) for key, _ in FIGURES]])
    labels = [lists.users[o].display_name if o in lists.users else "(nobody)" for o in owners]
    chart = Chart(
        "bar",
        labels,
        CellKind.TEXT,
        [
            Series(title, [figures[key].get(o, 0) for o in owners], colour(i))
            for i, (key, title) in enumerate(FIGURES[:4])
        ],
        title="Per owner, in the range",
    )
    columns: Sequence[Column] = [
        Column("owner", "Owner"),
        *[Column(key, title, CellKind.COUNT) for key, title in FIGURES],
    ]
    return Report(
        "owners",
        "Owners",
        "Per owner in the range: new prospects, conversions, calls / emails / meetings held and tasks "
        "done; and their open tasks overdue today.",
        chart,
        [Table("owners", "By owner", columns, rows)],
        notes=(
            "New prospects count those created in the range; conversions those converted in it.",
            "Source, status, priority and form filters narrow the prospect figures only.",
            f"“Tasks overdue now” is as of today ({_today_text(flt)}), whatever the range.",
        ),
    )


def _today_text(flt: ReportFilter) -> str:
    day: date = today(flt.range.zone)
    return day.isoformat()
