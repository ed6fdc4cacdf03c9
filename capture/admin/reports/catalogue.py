"""The six reports: their address, title, and how each is built. The forms
report also reads the forms' counters in Redis; traceability is paged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from capture import redis_client, redis_keys
from crm_core.forms.queries import list_forms
from crm_core.prospects.visibility import is_restricted
from crm_core.reports.forms import FormCounters, forms_report
from crm_core.reports.funnel import funnel_report
from crm_core.reports.leads import leads_per_month, leads_per_week
from crm_core.reports.owners import owners_report
from crm_core.reports.scope import ReportFilter
from crm_core.reports.tables import Report
from crm_core.reports.traceability import PAGE_PROSPECTS, traceability_report
from crm_core.users.models import User

Builder = Callable[[Session, User, ReportFilter, "Paging"], Report]


@dataclass(frozen=True)
class Paging:
    after: str | None = None
    limit: int = PAGE_PROSPECTS


@dataclass(frozen=True)
class ReportEntry:
    slug: str
    title: str
    summary: str
    build: Builder


def form_counters(session: Session) -> dict[str, FormCounters] | None:
    """Each form's running totals from Redis; ``None`` when Redis cannot be read
    (the report then leaves those columns out instead of showing zeros)."""
    forms = list_forms(session)
    connection = redis_client.redis()
    try:
        pipe = connection.pipeline(transaction=False)
        for form in forms:
            for kind in ("views", "submissions", "spam"):
                pipe.get(redis_keys.stat(kind, form.key))
            pipe.llen(redis_keys.quarantine(form.key))
        values = pipe.execute()
    except RedisError:
        return None
    found = {}
    for index, form in enumerate(forms):
        views, submissions, spam, held = values[index * 4 : index * 4 + 4]
        found[form.key] = FormCounters(int(views or 0), int(submissions or 0), int(spam or 0), int(held or 0))
    return found


def _forms(session: Session, viewer: User, flt: ReportFilter, _paging: Paging) -> Report:
    counters = None if is_restricted(viewer) else form_counters(session)
    return forms_report(session, viewer, flt, counters)


REPORTS: dict[str, ReportEntry] = {
    entry.slug: entry
    for entry in (
        ReportEntry(
            "leads-weekly",
            "Leads per week",
            "New prospects per ISO week, by source.",
            lambda s, v, f, _p: leads_per_week(s, v, f),
        ),
        ReportEntry(
            "leads-monthly",
            "Leads per month",
            "New prospects per month, by status and source.",
            lambda s, v, f, _p: leads_per_month(s, v, f),
        ),
        ReportEntry(
            "funnel",
            "Funnel and conversion",
            "Created → qualified → converted, and junk; conversion by source, owner and form.",
            lambda s, v, f, _p: funnel_report(s, v, f),
        ),
        ReportEntry(
            "forms", "Forms", "Views → submissions → prospects → converted, and spam, per form.", _forms
        ),
        ReportEntry(
            "owners",
            "Owners",
            "Per owner: new prospects, conversions, activities held, tasks done and overdue.",
            lambda s, v, f, _p: owners_report(s, v, f),
        ),
        ReportEntry(
            "traceability",
            "Traceability",
            "Converted prospects → accounts → offers, with status and totals.",
            lambda s, v, f, p: traceability_report(s, v, f, after=p.after, limit=p.limit),
        ),
    )
}
