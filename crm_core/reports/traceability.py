"""Traceability (SocrateCloud's lead → offer report): every prospect
converted in the range, the account it became and the offers made from it
(``Offer.prospect_id``), with their status and totals; per month, how those
offers stand; and the totals per offer status and currency.

Amounts stay ``Decimal`` and are summed per currency: euros and lei are never
added together. The listing is paged by prospect, newest conversion first
(keyset on ``ix_prospects_converted``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Numeric, String, case, cast, func, literal, null, select, tuple_, union_all
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account
from crm_core.lists.models import OfferStatus, OfferStatusKind
from crm_core.offers.models import Offer
from crm_core.paging import decode_cursor, encode_cursor
from crm_core.prospects.labels import ListSnapshot
from crm_core.prospects.models import Prospect
from crm_core.reports.periods import Grain, period_index
from crm_core.reports.planning import for_short_reads
from crm_core.reports.scope import ReportFilter, prospect_clauses
from crm_core.reports.tables import CellKind, Chart, Column, Linked, Money, Report, Series, Table
from crm_core.users.models import User

PAGE_PROSPECTS = 100
CSV_PROSPECTS = 20_000
TRACE_SORT = "-converted"
OUTCOMES = (
    ("none", "No offer", "#9ca3af"),
    ("open", "Draft or sent", "#2563eb"),
    ("accepted", "Accepted", "#16a34a"),
    ("lost", "Rejected or expired", "#dc2626"),
)
_OUTCOME_OF_KIND = {
    OfferStatusKind.DRAFT: "open",
    OfferStatusKind.SENT: "open",
    OfferStatusKind.ACCEPTED: "accepted",
    OfferStatusKind.REJECTED: "lost",
    OfferStatusKind.EXPIRED: "lost",
}


def _converted_in(flt: ReportFilter, viewer: User) -> list[Any]:
    return [
        Prospect.converted_at >= flt.range.utc_start,
        Prospect.converted_at < flt.range.utc_end,
        *prospect_clauses(flt, viewer),
    ]


def trace_rows(
    session: Session,
    viewer: User,
    flt: ReportFilter,
    *,
    after: str | None = None,
    limit: int = PAGE_PROSPECTS,
) -> tuple[list[list[Any]], str | None]:
    """The listing: one row per offer made from a converted prospect (one row
    with no offer for a prospect allocated to an account), a page of prospects at a time."""
    lists = ListSnapshot.load(session)
    statuses = {s.id: s for s in session.scalars(select(OfferStatus))}
    stmt = select(
        Prospect.id,
        Prospect.name,
        Prospect.source_id,
        Prospect.owner_id,
        Prospect.converted_at,
        Prospect.account_id,
        Account.name.label("account_name"),
    ).outerjoin(Account, Account.id == Prospect.account_id)
    stmt = stmt.where(*_converted_in(flt, viewer))
    decoded = decode_cursor(after, TRACE_SORT) if after else None
    if decoded is not None:
        value, row_id = decoded
        bound = tuple_(literal(value, Prospect.converted_at.type), literal(row_id, Prospect.id.type))
        stmt = stmt.where(tuple_(Prospect.converted_at, Prospect.id) < bound)
    prospects = list(
        session.execute(stmt.order_by(Prospect.converted_at.desc(), Prospect.id.desc()).limit(limit + 1))
    )
    more = len(prospects) > limit
    prospects = prospects[:limit]
    offers: dict[int, list[Any]] = defaultdict(list)
    ids = [p.id for p in prospects]
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for offer in session.execute(
            select(Offer.id, Offer.prospect_id, Offer.name, Offer.status_id, Offer.total, Offer.currency)
            .where(Offer.prospect_id.in_(chunk))
            .order_by(Offer.id)
        ):
            offers[offer.prospect_id].append(offer)
    rows: list[list[Any]] = []
    zone = flt.range.zone
    for p in prospects:
        base = [
            p.converted_at.astimezone(zone).date(),
            Linked(p.name, ("prospect", {"id": str(p.id)})),
            lists.sources[p.source_id].name if p.source_id in lists.sources else "",
            lists.users[p.owner_id].display_name if p.owner_id in lists.users else "",
            Linked(p.account_name, ("account", {"id": str(p.account_id)})) if p.account_id else "",
        ]
        for offer in offers.get(p.id) or [None]:
            if offer is None:
                rows.append([*base, "", "", None])
                continue
            status = statuses.get(offer.status_id)
            rows.append(
                [
                    *base,
                    Linked(offer.name, ("offer", {"id": str(offer.id)})),
                    status.name if status else "",
                    Money(Decimal(offer.total), offer.currency),
                ]
            )
    last = prospects[-1] if prospects else None
    cursor = encode_cursor(TRACE_SORT, last.converted_at, last.id) if more and last else None
    return rows, cursor


TRACE_COLUMNS: Sequence[Column] = (
    Column("converted", "Converted on", CellKind.DATE),
    Column("prospect", "Prospect"),
    Column("source", "Source"),
    Column("owner", "Owner"),
    Column("account", "Account"),
    Column("offer", "Offer"),
    Column("offer_status", "Offer status"),
    Column("total", "Total", CellKind.MONEY),
)


@dataclass(frozen=True)
class OfferFigures:
    periods: list[Any]
    # {(month number, outcome): prospects converted that month whose best offer stands so}
    outcomes: dict[tuple[int, str], int]
    # {(offer status id, currency): (offers, sum of totals)}
    totals: dict[tuple[int | None, str], tuple[int, Decimal]]


def offer_figures(session: Session, viewer: User, flt: ReportFilter) -> OfferFigures:
    """The range's converted prospects joined to their offers once, counted two
    ways in one statement: per month by best outcome (ranked in SQL), and per
    offer status and currency with the sum of totals — a dozen rows back."""
    periods = flt.range.periods(Grain.MONTH)
    dialect = session.get_bind().dialect.name
    kinds = {s.id: s.kind for s in session.scalars(select(OfferStatus))}
    accepted = [i for i, k in kinds.items() if _OUTCOME_OF_KIND.get(k) == "accepted"]
    lost = [i for i, k in kinds.items() if _OUTCOME_OF_KIND.get(k) == "lost"]
    rank = case(
        (Offer.id.is_(None), 0),
        (Offer.status_id.in_(accepted), 3),
        (Offer.status_id.in_(lost), 1),
        else_=2,
    )
    index = period_index(Prospect.converted_at, flt.range.boundaries(Grain.MONTH), dialect)
    joined = (
        select(
            index.label("period"),
            Prospect.id.label("pid"),
            rank.label("rank"),
            Offer.id.label("offer_id"),
            Offer.status_id.label("status_id"),
            Offer.currency.label("currency"),
            Offer.total.label("total"),
        )
        .outerjoin(Offer, Offer.prospect_id == Prospect.id)
        .where(*_converted_in(flt, viewer))
        .cte("joined")
    )
    best = (
        select(joined.c.period, func.max(joined.c.rank).label("best"))
        .group_by(joined.c.period, joined.c.pid)
        .subquery()
    )
    no_int, no_text, no_money = cast(null(), Integer), cast(null(), String(3)), cast(null(), Numeric(16, 4))
    by_outcome = select(
        best.c.period,
        best.c.best,
        no_int.label("status_id"),
        no_text.label("currency"),
        func.count(),
        no_money,
    ).group_by(best.c.period, best.c.best)
    by_status = (
        select(no_int, no_int, joined.c.status_id, joined.c.currency, func.count(), func.sum(joined.c.total))
        .where(joined.c.offer_id.is_not(None))
        .group_by(joined.c.status_id, joined.c.currency)
    )
    names = {0: "none", 1: "lost", 2: "open", 3: "accepted"}
    outcomes: dict[tuple[int, str], int] = {}
    totals: dict[tuple[int | None, str], tuple[int, Decimal]] = {}
    for period, best_rank, status_id, currency, count, total in session.execute(
        union_all(by_outcome, by_status)
    ):
        if currency is None:
            outcomes[(int(period) - 1, names[int(best_rank)])] = count
        else:
            totals[(status_id, currency)] = (count, Decimal(total or 0))
    return OfferFigures(periods, outcomes, totals)


def totals_rows(
    session: Session, totals: dict[tuple[int | None, str], tuple[int, Decimal]]
) -> list[list[Any]]:
    """Per offer status (in the statuses' order) and currency: offers and their sum, each currency on its own."""
    statuses = list(session.scalars(select(OfferStatus).order_by(OfferStatus.position, OfferStatus.id)))
    known = {s.id for s in statuses}
    order = [s.id for s in statuses] + sorted({k[0] for k in totals if k[0] not in known}, key=str)
    names = {s.id: s.name for s in statuses}
    rows: list[list[Any]] = []
    for status_id in order:
        for currency in sorted(c for s, c in totals if s == status_id):
            count, total = totals[(status_id, currency)]
            rows.append([names.get(status_id, "(no status)"), currency, count, Money(total, currency)])
    return rows


def traceability_report(
    session: Session,
    viewer: User,
    flt: ReportFilter,
    *,
    after: str | None = None,
    limit: int = PAGE_PROSPECTS,
) -> Report:
    for_short_reads(session)
    figures = offer_figures(session, viewer, flt)
    periods, outcomes = figures.periods, figures.outcomes
    chart = Chart(
        "bar",
        [p.start for p in periods],
        CellKind.MONTH,
        [
            Series(label, [outcomes.get((n, key), 0) for n in range(len(periods))], color, "outcome")
            for key, label, color in OUTCOMES
        ],
        stacked=True,
        title="Prospects converted per month, by how their offers stand",
    )
    rows, cursor = trace_rows(session, viewer, flt, after=after, limit=limit)
    return Report(
        "traceability",
        "Traceability",
        "Prospects converted in the range → the account each became → the offers made from it, "
        "with their status and totals.",
        chart,
        [
            Table(
                "trace",
                "Converted prospects, their accounts and offers",
                TRACE_COLUMNS,
                rows,
                note="Newest conversion first. A prospect allocated to an existing account has no offer of its own.",
                more=cursor,
                paged=True,
            ),
            Table(
                "totals",
                "Offer totals by status and currency",
                (
                    Column("status", "Offer status"),
                    Column("currency", "Currency"),
                    Column("offers", "Offers", CellKind.COUNT),
                    Column("total", "Total", CellKind.MONEY),
                ),
                totals_rows(session, figures.totals),
                note="Each currency is summed on its own.",
            ),
            Table(
                "months",
                "Converted prospects per month, by how their offers stand",
                (
                    Column("month", "Month", CellKind.MONTH),
                    *[Column(key, label, CellKind.COUNT) for key, label, _ in OUTCOMES],
                ),
                [
                    [p.start, *[outcomes.get((n, key), 0) for key, _, _ in OUTCOMES]]
                    for n, p in enumerate(periods)
                ],
                note="A prospect with several offers counts once, under its best offer "
                "(accepted, then open, then lost).",
            ),
        ],
    )
