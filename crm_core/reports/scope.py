"""What a report covers: a range of local days and the list's filters that
apply to a report (owner, status, priority, source, form), read from a query
string like the list's and written back to one, plus the role rule — sales
see only their own prospects in every figure, because every report query
starts from ``prospect_clauses``.

The list's text filters and its created-date range do not apply: the range
here is in the instance's time zone, and a report counts converted prospects
too (the list hides them unless asked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute

from crm_core.prospects.filters import OWNER_ME, OWNER_NONE, ProspectFilter, parse_filter
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import visible_clauses
from crm_core.reports.periods import MAX_DAYS, DateRange, default_range
from crm_core.users.models import User

APPLYING = ("owner", "status", "priority", "source", "form")


@dataclass(frozen=True)
class ReportFilter:
    range: DateRange
    prospects: ProspectFilter

    def query_items(self) -> list[tuple[str, str]]:
        items = [("start", self.range.start.isoformat()), ("end", self.range.end.isoformat())]
        return items + [(k, v) for k, v in self.prospects.query_items() if k in APPLYING]

    def to_query(self, **extra: str) -> str:
        return urlencode(self.query_items() + [(k, v) for k, v in extra.items() if v])

    def list_filter(self, **values: Any) -> dict[str, str]:
        """The prospects list's query for this report's filters plus ``values``:
        where a figure's link goes."""
        items: dict[str, str] = {}
        for key, value in self.prospects.query_items():
            if key in APPLYING:
                items.setdefault(key, value)  # repeated keys: the first wins in a link
        items.update({k: str(v) for k, v in values.items() if v not in (None, "")})
        return items


def parse_report_filter(
    args: Mapping[str, Any], today: date, zone: ZoneInfo
) -> tuple[ReportFilter, dict[str, list[str]]]:
    """``request.args`` → the filter and per-field messages for what was ignored.
    Never fails: a bad date falls back to the default range, and says so."""
    flt, errors = parse_filter({k: _values(args, k) for k in APPLYING})
    flt = ProspectFilter(**{k: getattr(flt, k) for k in APPLYING})
    fallback = default_range(today, zone)
    start = _date(args, "start", errors) or fallback.start
    end = _date(args, "end", errors) or (fallback.end if start <= fallback.end else start)
    if start > end:
        errors["end"] = ["The end date is before the start date; showing the start date's day."]
        end = start
    if (end - start).days >= MAX_DAYS:
        errors["start"] = [f"A report covers at most {MAX_DAYS} days; the start was moved."]
        start = end - timedelta(days=MAX_DAYS - 1)
    return ReportFilter(DateRange(start, end, zone), flt), errors


def _values(args: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name)]
    value = args.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _date(args: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> date | None:
    raw = str(args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = [f"“{raw}” is not a date (YYYY-MM-DD); the default was used."]
        return None


def prospect_clauses(flt: ReportFilter, viewer: User) -> list[ColumnElement[bool]]:
    """Who may be counted (the role rule) and the list filters that apply."""
    clauses = list(visible_clauses(viewer))
    p = flt.prospects
    if p.owner:
        ids = sorted({viewer.id if t == OWNER_ME else int(t) for t in p.owner if t != OWNER_NONE})
        options: list[ColumnElement[bool]] = []
        if ids:
            options.append(Prospect.owner_id.in_(ids))
        if OWNER_NONE in p.owner:
            options.append(Prospect.owner_id.is_(None))
        clauses.append(or_(*options))
    columns: dict[str, InstrumentedAttribute[Any]] = {
        "status": Prospect.status_id,
        "priority": Prospect.priority_id,
        "source": Prospect.source_id,
        "form": Prospect.form_id,
    }
    for name, column in columns.items():
        values = getattr(p, name)
        if values:
            clauses.append(column.in_(values))
    return clauses


def created_in(flt: ReportFilter) -> list[ColumnElement[bool]]:
    return [Prospect.created_at >= flt.range.utc_start, Prospect.created_at < flt.range.utc_end]


def with_range(flt: ReportFilter, start: date, end: date) -> ReportFilter:
    return replace(flt, range=DateRange(start, end, flt.range.zone))
