"""The forms report: per form, views → submissions → prospects → converted,
and spam; and the prospects each form brought in, per ISO week.

Views, submissions and spam are counters the public endpoints keep in Redis
(the web layer reads them and passes them in as ``FormCounters``): running
totals since the form was made, not dated, so they are shown beside the
range's figures and never divided by them. Prospects and conversions come
from the database, for the range (the prospects created in it, converted
since — like the funnel)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.forms.models import WebForm
from crm_core.reports.leads import count_by_period
from crm_core.reports.periods import Grain
from crm_core.reports.planning import for_short_reads
from crm_core.reports.scope import ReportFilter
from crm_core.reports.tables import CellKind, Chart, Column, Linked, Report, Series, Table, colour
from crm_core.users.models import User


@dataclass(frozen=True)
class FormCounters:
    views: int = 0
    submissions: int = 0
    spam: int = 0
    quarantined: int = 0  # held for review now


def forms_report(
    session: Session, viewer: User, flt: ReportFilter, counters: Mapping[str, FormCounters] | None
) -> Report:
    """``counters=None`` leaves the running totals out (sales see only their own
    prospects, and a form's views are everyone's)."""
    for_short_reads(session)
    forms = list(
        session.execute(select(WebForm.id, WebForm.key, WebForm.name).order_by(WebForm.name, WebForm.id))
    )
    if flt.prospects.form:
        forms = [f for f in forms if f.id in flt.prospects.form]
    periods, counts = count_by_period(session, viewer, flt, Grain.WEEK, "form", "converted")
    prospects: dict[int | None, int] = {}
    converted: dict[int | None, int] = {}
    weekly: dict[tuple[int, int | None], int] = {}
    for (number, form_id, is_converted), count in counts.items():
        prospects[form_id] = prospects.get(form_id, 0) + count
        weekly[(number, form_id)] = weekly.get((number, form_id), 0) + count
        if is_converted:
            converted[form_id] = converted.get(form_id, 0) + count
    created_range = {"created_from": flt.range.start.isoformat(), "created_to": flt.range.end.isoformat()}
    summary_rows = []
    for form in forms:
        made = prospects.get(form.id, 0)
        won = converted.get(form.id, 0)
        row: list[Any] = [Linked(form.name, ("prospects", flt.list_filter(form=form.id, **created_range)))]
        if counters is not None:
            c = counters.get(form.key, FormCounters())
            held = Linked(c.quarantined, ("submissions", {})) if c.quarantined else 0
            row += [c.views, c.submissions, c.spam, held]
        summary_rows.append([*row, made, won, won / made if made else None])
    summary_columns = [Column("form", "Form")]
    if counters is not None:
        summary_columns += [
            Column("views", "Views (all time)", CellKind.COUNT),
            Column("submissions", "Submissions (all time)", CellKind.COUNT),
            Column("spam", "Spam (all time)", CellKind.COUNT),
            Column("quarantined", "Spam held for review now", CellKind.COUNT),
        ]
    summary_columns += [
        Column("prospects", "Prospects in the range", CellKind.COUNT),
        Column("converted", "Of them converted", CellKind.COUNT),
        Column("rate", "Conversion rate", CellKind.RATIO),
    ]
    summary = Table(
        "forms",
        "By form",
        summary_columns,
        summary_rows,
        note=(
            "Views, submissions and spam are running totals since each form was made. "
            if counters is not None
            else ""
        )
        + "Prospects and conversions count the prospects created in the range.",
    )
    week_rows = []
    for number, period in enumerate(periods):
        values = [weekly.get((number, form.id), 0) for form in forms]
        week_rows.append([period.start, *values, sum(values)])
    by_week = Table(
        "weeks",
        "Prospects per week, by form",
        [
            Column("week", "Week", CellKind.WEEK),
            *[Column(f"form_{form.id}", form.name, CellKind.COUNT) for form in forms],
            Column("total", "Total", CellKind.COUNT),
        ],
        week_rows,
    )
    chart = Chart(
        "line",
        [p.start for p in periods],
        CellKind.WEEK,
        [
            Series(
                form.name, [weekly.get((n, form.id), 0) for n in range(len(periods))], colour(i), kind="line"
            )
            for i, form in enumerate(forms)
        ],
        title="Prospects per ISO week, by form",
    )
    return Report(
        "forms",
        "Forms",
        "Per form: views, submissions and spam, and the prospects it brought in the range, converted or not.",
        chart,
        [summary, by_week],
    )
