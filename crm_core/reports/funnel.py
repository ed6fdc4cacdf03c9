"""The funnel (Bitrix24's CRM analytics): of the prospects created in the
range, how many reached a qualified status, how many were converted, how many
ended as junk — overall and by source, owner and form, with the conversion
rate and the median time from creation to conversion.

A cohort report: each figure is about the prospects *created* in the range,
whatever happened to them since (a prospect created in March and converted in
May counts as a March conversion). "Reached qualified" is read from where a
prospect stands now: a qualified or converted status, or converted.

Counts come from the running tallies (by source and form, and by owner); the
medians from the converted prospects themselves (a partial index holds them;
PostgreSQL: ``percentile_cont`` with grouping sets; SQLite, which has
neither: computed from the rows)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from crm_core.lists.models import Status, StatusKind
from crm_core.prospects.labels import ListSnapshot
from crm_core.prospects.models import Prospect
from crm_core.reports.planning import for_short_reads
from crm_core.reports.scope import ReportFilter, created_in, prospect_clauses
from crm_core.reports.tables import CellKind, Chart, Column, Linked, Report, Series, Table
from crm_core.reports.tallies import Filters, counts_by_period
from crm_core.users.models import User

DIMENSIONS = ("source", "owner", "form")
SECONDS_PER_DAY = 86_400


@dataclass
class Stages:
    created: int = 0
    qualified: int = 0
    converted: int = 0
    junk: int = 0
    median_days: float | None = None

    @property
    def rate(self) -> float | None:
        return self.converted / self.created if self.created else None

    def add(self, kind: StatusKind | None, converted: bool, count: int) -> None:
        self.created += count
        if converted or kind == StatusKind.CONVERTED:
            self.converted += count
            self.qualified += count
        elif kind == StatusKind.QUALIFIED:
            self.qualified += count
        elif kind == StatusKind.JUNK:
            self.junk += count


@dataclass
class Funnel:
    total: Stages = field(default_factory=Stages)
    # {"source": {source id: Stages}, "owner": {...}, "form": {...}}
    by: dict[str, dict[Any, Stages]] = field(
        default_factory=lambda: {d: defaultdict(Stages) for d in DIMENSIONS}
    )


def cohort_funnel(session: Session, viewer: User, flt: ReportFilter) -> Funnel:
    kinds = {status_id: kind for status_id, kind in session.execute(select(Status.id, Status.kind))}
    filters = Filters.of(flt.prospects, viewer)
    bounds = ([flt.range.utc_start], flt.range.utc_end)
    result = Funnel()
    # Two cuts, each one read of its tally: by source and form, and by owner.
    by_source = counts_by_period(session, *bounds, ("source", "form", "status", "converted"), filters)
    for (_period, source_id, form_id, status_id, is_converted), count in by_source.items():
        kind = kinds.get(status_id)
        result.total.add(kind, bool(is_converted), count)
        result.by["source"][source_id].add(kind, bool(is_converted), count)
        result.by["form"][form_id].add(kind, bool(is_converted), count)
    by_owner = counts_by_period(session, *bounds, ("owner", "status", "converted"), filters)
    for (_period, owner_id, status_id, is_converted), count in by_owner.items():
        result.by["owner"][owner_id].add(kinds.get(status_id), bool(is_converted), count)
    where = [*created_in(flt), *prospect_clauses(flt, viewer)]
    for (name, value), days in _median_days(session, where).items():
        stages = result.total if name == "all" else result.by[name].get(value)
        if stages is not None:
            stages.median_days = days
    return result


def _median_days(session: Session, where: list[Any]) -> dict[tuple[str, Any], float]:
    """{("all", None) | ("source", id) | …: median days from created to converted}."""
    where = [*where, Prospect.converted_at.is_not(None)]
    dims = (Prospect.source_id, Prospect.owner_id, Prospect.form_id)
    if session.get_bind().dialect.name == "postgresql":
        days = func.extract("epoch", Prospect.converted_at - Prospect.created_at) / SECONDS_PER_DAY
        stmt = (
            select(*dims, func.grouping(*dims), func.percentile_cont(0.5).within_group(days))
            .where(*where)
            .group_by(func.grouping_sets(tuple_(dims[0]), tuple_(dims[1]), tuple_(dims[2]), tuple_()))
        )
        # grouping(): a bit set for each column left out of the row's set.
        sets = {0b011: "source", 0b101: "owner", 0b110: "form", 0b111: "all"}
        found = {}
        for source_id, owner_id, form_id, grouping, median in session.execute(stmt):
            if median is None:  # the grand total of no converted prospect
                continue
            name = sets[grouping]
            value = {"source": source_id, "owner": owner_id, "form": form_id, "all": None}[name]
            found[(name, value)] = float(median)
        return found
    samples: dict[tuple[str, Any], list[float]] = defaultdict(list)
    for source_id, owner_id, form_id, created_at, converted_at in session.execute(
        select(*dims, Prospect.created_at, Prospect.converted_at).where(*where)
    ):
        days = _days(created_at, converted_at)
        for key in (("all", None), ("source", source_id), ("owner", owner_id), ("form", form_id)):
            samples[key].append(days)
    return {key: statistics.median(values) for key, values in samples.items()}


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / SECONDS_PER_DAY


STAGE_COLUMNS = (
    Column("created", "Created", CellKind.COUNT),
    Column("qualified", "Reached qualified", CellKind.COUNT),
    Column("converted", "Converted", CellKind.COUNT),
    Column("junk", "Junk", CellKind.COUNT),
    Column("rate", "Conversion rate", CellKind.RATIO),
    Column("median", "Median time to conversion", CellKind.DAYS),
)


def _stage_cells(stages: Stages) -> list[Any]:
    return [stages.created, stages.qualified, stages.converted, stages.junk, stages.rate, stages.median_days]


def funnel_report(session: Session, viewer: User, flt: ReportFilter) -> Report:
    for_short_reads(session)
    lists = ListSnapshot.load(session)
    funnel = cohort_funnel(session, viewer, flt)
    names: dict[str, Callable[[Any], str]] = {
        "source": lambda i: lists.sources[i].name if i in lists.sources else "(none)",
        "owner": lambda i: lists.users[i].display_name if i in lists.users else "(nobody)",
        "form": lambda i: lists.forms.get(i, "(no form: entered or imported)"),
    }
    order: dict[str, list[Any]] = {
        "source": list(lists.sources),
        "owner": list(lists.users),
        "form": list(lists.forms),
    }
    list_values = {"source": "source", "owner": "owner", "form": "form"}
    tables = []
    created_range = {
        "created_from": flt.range.start.isoformat(),
        "created_to": flt.range.end.isoformat(),
    }
    for dim, title in (("source", "By source"), ("owner", "By owner"), ("form", "By form")):
        groups = funnel.by[dim]
        rows: list[list[Any]] = []
        for value in _in_order(groups, order[dim]):
            label: Any = names[dim](value)
            if value is not None:
                label = Linked(
                    label, ("prospects", flt.list_filter(**{list_values[dim]: value}, **created_range))
                )
            rows.append([label, *_stage_cells(groups[value])])
        rows.append(["Total", *_stage_cells(funnel.total)])
        tables.append(Table(dim, title, [Column(dim, dim.capitalize()), *STAGE_COLUMNS], rows))
    total = funnel.total
    chart = Chart(
        "bar",
        ["Created", "Reached qualified", "Converted", "Junk"],
        CellKind.TEXT,
        [Series("Prospects", [total.created, total.qualified, total.converted, total.junk], "#2563eb")],
        title="Prospects created in the range, by how far they got",
    )
    return Report(
        "funnel",
        "Funnel and conversion",
        "Of the prospects created in the range: how many reached a qualified status, were converted, "
        "or ended as junk — by source, owner and form.",
        chart,
        tables,
        notes=(
            "Each figure follows the prospects created in the range, whenever they were converted.",
            "“Reached qualified” counts prospects in a qualified status now, and every converted one.",
            "The conversion rate is converted ÷ created; the median time runs from creation to conversion.",
        ),
    )


def _in_order(groups: dict[Any, Stages], order: Iterable[Any]) -> list[Any]:
    known = [value for value in order if value in groups]
    rest = [value for value in groups if value not in known and value is not None]
    return known + sorted(rest, key=str) + ([None] if None in groups else [])
