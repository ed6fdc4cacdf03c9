"""New leads over time (SocrateCloud's "Leads Weekly" and "Leads Monthly"):
prospects created per ISO week by source, and per month by status and source,
in the instance's time zone, counted from the running tallies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from crm_core.prospects.labels import ListSnapshot
from crm_core.reports.periods import Grain, Period
from crm_core.reports.planning import for_short_reads
from crm_core.reports.scope import ReportFilter
from crm_core.reports.tables import CellKind, Chart, Column, Linked, Report, Series, Table, colour
from crm_core.reports.tallies import Filters, counts_by_period
from crm_core.users.models import User

NONE_LABEL = "(none)"


def count_by_period(
    session: Session, viewer: User, flt: ReportFilter, grain: Grain, *dimensions: str
) -> tuple[list[Period], dict[tuple[Any, ...], int]]:
    """{(period number 0-based, *dimension values): prospects created} over the
    range, from the tallies where they can answer (``crm_core.reports.tallies``)."""
    periods = flt.range.periods(grain)
    counts = counts_by_period(
        session,
        flt.range.boundaries(grain),
        flt.range.utc_end,
        dimensions,
        Filters.of(flt.prospects, viewer),
    )
    return periods, counts


def _ordered(ids: set[Any], order: Sequence[Any]) -> list[Any]:
    """Ids in the lists' order, unknown ones (and "none") last."""
    known = [i for i in order if i in ids]
    return (
        known
        + sorted((i for i in ids if i not in order and i is not None), key=str)
        + ([None] if None in ids else [])
    )


def leads_per_week(session: Session, viewer: User, flt: ReportFilter) -> Report:
    for_short_reads(session)
    lists = ListSnapshot.load(session)
    periods, counts = count_by_period(session, viewer, flt, Grain.WEEK, "source")
    sources = _ordered({key[1] for key in counts}, list(lists.sources))

    def source_name(source_id: int | None) -> str:
        return lists.sources[source_id].name if source_id in lists.sources else NONE_LABEL

    columns = [
        Column("week", "Week", CellKind.WEEK),
        *[Column(f"source_{s}", source_name(s), CellKind.COUNT) for s in sources],
        Column("total", "Total", CellKind.COUNT),
    ]
    rows = []
    for number, period in enumerate(periods):
        values = [counts.get((number, s), 0) for s in sources]
        week_link = flt.list_filter(created_from=period.start.isoformat(), created_to=_last_day(period))
        rows.append([Linked(period.start, ("prospects", week_link)), *values, sum(values)])
    totals = [sum(counts.get((n, s), 0) for n in range(len(periods))) for s in sources]
    rows.append(["Total", *totals, sum(totals)])
    chart = Chart(
        "bar",
        [p.start for p in periods],
        CellKind.WEEK,
        [
            Series(source_name(s), [counts.get((n, s), 0) for n in range(len(periods))], colour(i), "leads")
            for i, s in enumerate(sources)
        ],
        stacked=True,
        title="New prospects per ISO week, by source",
    )
    return Report(
        "leads-weekly",
        "Leads per week by source",
        "New prospects per ISO week (Monday to Sunday in the instance's time zone), by source.",
        chart,
        [Table("weeks", "Prospects per week", columns, rows, note=_partial_note(periods, flt))],
    )


def leads_per_month(session: Session, viewer: User, flt: ReportFilter) -> Report:
    for_short_reads(session)
    lists = ListSnapshot.load(session)
    periods, counts = count_by_period(session, viewer, flt, Grain.MONTH, "status", "source")
    statuses = _ordered({key[1] for key in counts}, list(lists.statuses))
    sources = _ordered({key[2] for key in counts}, list(lists.sources))

    def status_name(status_id: int | None) -> str:
        return lists.statuses[status_id].name if status_id in lists.statuses else NONE_LABEL

    def source_name(source_id: int | None) -> str:
        return lists.sources[source_id].name if source_id in lists.sources else NONE_LABEL

    by_status: dict[tuple[int, Any], int] = defaultdict(int)
    for (number, status_id, _source_id), count in counts.items():
        by_status[(number, status_id)] += count
    columns = [
        Column("month", "Month", CellKind.MONTH),
        Column("source", "Source"),
        *[Column(f"status_{s}", status_name(s), CellKind.COUNT) for s in statuses],
        Column("total", "Total", CellKind.COUNT),
    ]
    rows: list[list[Any]] = []
    for number, period in enumerate(periods):
        month_link = flt.list_filter(created_from=period.start.isoformat(), created_to=_last_day(period))
        values = [by_status.get((number, s), 0) for s in statuses]
        rows.append([Linked(period.start, ("prospects", month_link)), "All sources", *values, sum(values)])
        for source_id in sources:
            values = [counts.get((number, s, source_id), 0) for s in statuses]
            if sum(values):
                rows.append([period.start, source_name(source_id), *values, sum(values)])
    chart = Chart(
        "bar",
        [p.start for p in periods],
        CellKind.MONTH,
        [
            Series(
                status_name(s),
                [by_status.get((n, s), 0) for n in range(len(periods))],
                lists.statuses[s].color if s in lists.statuses else colour(i),
                "leads",
            )
            for i, s in enumerate(statuses)
        ],
        stacked=True,
        title="New prospects per month, by their status now",
    )
    return Report(
        "leads-monthly",
        "Leads per month by status and source",
        "New prospects per calendar month (in the instance's time zone), by their status now and by source.",
        chart,
        [Table("months", "Prospects per month", columns, rows, note=_partial_note(periods, flt))],
    )


def _last_day(period: Period) -> str:
    return (period.end - timedelta(days=1)).isoformat()


def _partial_note(periods: list[Period], flt: ReportFilter) -> str:
    """Say so when the first or last period is cut by the range."""
    if not periods:
        return ""
    cut = [p.key for p in dict.fromkeys((periods[0], periods[-1])) if not _is_whole(p)]
    if not cut:
        return ""
    return "Only the days inside the range are counted in " + " and ".join(cut) + "."


def _is_whole(period: Period) -> bool:
    if period.grain == Grain.WEEK:
        return (period.end - period.start).days == 7
    return period.start.day == 1 and period.end.day == 1
