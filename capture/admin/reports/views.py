"""The reports pages and their CSV files. A report's page and its CSV come
from the same ``Report`` and the same cell formatting, so they read alike."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, url_for
from werkzeug.routing import BuildError

from capture.admin.auth import login_required, viewer
from capture.admin.reports import bp
from capture.admin.reports.catalogue import REPORTS, Paging
from capture.database import db_session
from capture.instance import zone
from capture.reader_locale import cell_text, csv_delimiter, label_text
from crm_core.clock import today
from crm_core.prospects.labels import ListSnapshot
from crm_core.reports.scope import ReportFilter, parse_report_filter
from crm_core.reports.spreadsheet import table_csv
from crm_core.reports.tables import Chart, Linked, Report
from crm_core.reports.traceability import CSV_PROSPECTS


def _filter() -> tuple[ReportFilter, dict[str, list[str]]]:
    local_zone = zone()
    return parse_report_filter(request.args, today(local_zone), local_zone)


def _entry(slug: str) -> Any:
    entry = REPORTS.get(slug)
    if entry is None:
        abort(404)
    return entry


def chart_data(chart: Chart) -> dict[str, Any]:
    """What ``reports.js`` hands to Chart.js: labels already in the reader's
    language, numbers as numbers."""
    return {
        "type": chart.kind,
        "title": chart.title,
        "labels": [label_text(chart.label_kind, label) for label in chart.labels],
        "stacked": chart.stacked,
        "datasets": [
            {
                "label": series.label,
                "data": list(series.values),
                "color": series.color,
                "stack": series.stack,
                "type": series.kind,
            }
            for series in chart.series
        ],
    }


def link_for(cell: Linked) -> str | None:
    """Where a linked cell leads; ``None`` when that page is not part of this build."""
    place, values = cell.target
    if place == "prospects":
        return url_for("admin.prospects.index", **values)
    if place == "prospect":
        return url_for("admin.prospects.detail", prospect_id=int(values["id"]))
    if place == "submissions":
        return url_for("admin.submissions.index")
    endpoint = {"account": "admin.accounts.detail", "offer": "admin.offers.detail"}.get(place)
    if endpoint is None:
        return None
    try:
        return url_for(endpoint, **{f"{place}_id": int(values["id"])})
    except BuildError:
        return None


@bp.get("/reports", endpoint="index")
@login_required
def reports_index() -> str:
    return render_template("admin/reports/index.html", reports=list(REPORTS.values()))


@bp.get("/reports/<slug>", endpoint="show")
@login_required
def report(slug: str) -> str:
    entry = _entry(slug)
    flt, errors = _filter()
    session = db_session()
    built: Report = entry.build(session, viewer(), flt, Paging(after=request.args.get("after") or None))
    return render_template(
        "admin/reports/report.html",
        entry=entry,
        report=built,
        reports=list(REPORTS.values()),
        flt=flt,
        errors=errors,
        lists=ListSnapshot.load(session),
        chart=chart_data(built.chart),
        cell_text=cell_text,
        link_for=link_for,
        csv_url=lambda key: url_for("admin.reports.csv", slug=slug) + "?" + flt.to_query(table=key),
        page_url=lambda after: url_for("admin.reports.show", slug=slug) + "?" + flt.to_query(after=after),
        first_page=bool(request.args.get("after")),
    )


@bp.get("/reports/<slug>/csv", endpoint="csv")
@login_required
def report_csv(slug: str) -> Response:
    entry = _entry(slug)
    flt, _errors = _filter()
    built: Report = entry.build(db_session(), viewer(), flt, Paging(limit=CSV_PROSPECTS))
    try:
        table = built.table(request.args.get("table"))
    except KeyError:
        abort(404)
    body = table_csv(table, cell_text, csv_delimiter())
    name = f"{slug}-{table.key}-{flt.range.start.isoformat()}-{flt.range.end.isoformat()}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
