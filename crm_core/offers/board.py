"""The offers board: one column per offer status (draft, sent, accepted …
in the statuses' order), each with its count, the sum of its offers' totals
and the probability-weighted sum (total times close probability) — per currency,
because lei and euros are never added together — and its cards in keyset
pages, newest first. Sales see the offers they may see (``offer_clauses``).

A move is ``set_offer_status``, the offer's one status change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account
from crm_core.list_filters import owner_ids
from crm_core.lists.models import OfferStatus
from crm_core.offers.models import Offer
from crm_core.offers.money import HUNDRED, round_money
from crm_core.offers.queries import OfferFilter
from crm_core.offers.services import set_offer_status
from crm_core.offers.visibility import offer_clauses
from crm_core.paging import decode_cursor, encode_cursor
from crm_core.reports.planning import for_short_reads
from crm_core.users.models import User

CARDS_PER_PAGE = 20
MAX_CARDS_PER_PAGE = 100
BOARD_SORT = "-created"

CARD_COLUMNS = (
    Offer.id,
    Offer.name,
    Offer.status_id,
    Offer.total,
    Offer.currency,
    Offer.probability,
    Offer.owner_id,
    Offer.expiry_date,
    Offer.created_at,
    Account.name.label("account_name"),
)


@dataclass(frozen=True)
class CurrencySum:
    currency: str
    total: Decimal
    weighted: Decimal  # sum of total * probability / 100, rounded to the currency's minor unit


@dataclass(frozen=True)
class OfferCardPage:
    cards: Sequence[Any]
    next_cursor: str | None


@dataclass(frozen=True)
class OfferColumn:
    status: OfferStatus
    count: int
    sums: Sequence[CurrencySum]
    page: OfferCardPage = field(default_factory=lambda: OfferCardPage([], None))


def board_clauses(flt: OfferFilter, viewer: User) -> list[ColumnElement[bool]]:
    """Who may see which offers, and the offers list's filters that make sense on a
    board (the status filter picks the columns instead)."""
    clauses = list(offer_clauses(viewer))
    if flt.q:
        clauses.append(func.lower(Offer.name).contains(flt.q.lower(), autoescape=True))
    owners = owner_ids(flt.owner, viewer)
    if owners:
        clauses.append(Offer.owner_id.in_(owners))
    if flt.currency:
        clauses.append(Offer.currency == flt.currency)
    if flt.expiry_from:
        clauses.append(Offer.expiry_date >= flt.expiry_from)
    if flt.expiry_to:
        clauses.append(Offer.expiry_date <= flt.expiry_to)
    if flt.probability_min is not None:
        clauses.append(Offer.probability >= flt.probability_min)
    if flt.probability_max is not None:
        clauses.append(Offer.probability <= flt.probability_max)
    if flt.account is not None:
        clauses.append(Offer.account_id == flt.account)
    return clauses


def column_sums(
    session: Session, viewer: User, flt: OfferFilter, status_ids: Sequence[int]
) -> dict[int, tuple[int, list[CurrencySum]]]:
    """{status id: (offers, sums per currency)} in one grouped query."""
    stmt = (
        select(
            Offer.status_id,
            Offer.currency,
            func.count(),
            func.sum(Offer.total),
            func.sum(Offer.total * Offer.probability),
        )
        .where(Offer.status_id.in_(list(status_ids)), *board_clauses(flt, viewer))
        .group_by(Offer.status_id, Offer.currency)
        .order_by(Offer.status_id, Offer.currency)
    )
    found: dict[int, tuple[int, list[CurrencySum]]] = {s: (0, []) for s in status_ids}
    for status_id, currency, count, total, weighted in session.execute(stmt):
        number, sums = found[status_id]
        total = Decimal(total or 0)
        weighted = round_money(Decimal(weighted or 0) / HUNDRED, currency)
        sums.append(CurrencySum(currency, round_money(total, currency), weighted))
        found[status_id] = (number + count, sums)
    return found


def offer_column_page(
    session: Session,
    viewer: User,
    flt: OfferFilter,
    status_id: int,
    *,
    after: str | None = None,
    limit: int = CARDS_PER_PAGE,
) -> OfferCardPage:
    limit = max(1, min(limit, MAX_CARDS_PER_PAGE))
    stmt: Select[Any] = (
        select(*CARD_COLUMNS)
        .join(Account, Account.id == Offer.account_id)
        .where(Offer.status_id == status_id, *board_clauses(flt, viewer))
    )
    decoded = decode_cursor(after, BOARD_SORT) if after else None
    if decoded is not None:
        value, row_id = decoded
        bound = tuple_(literal(value, Offer.created_at.type), literal(row_id, Offer.id.type))
        stmt = stmt.where(tuple_(Offer.created_at, Offer.id) < bound)
    rows = list(session.execute(stmt.order_by(Offer.created_at.desc(), Offer.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = encode_cursor(BOARD_SORT, rows[-1].created_at, rows[-1].id) if more and rows else None
    return OfferCardPage(rows, cursor)


def load_offer_board(
    session: Session, viewer: User, flt: OfferFilter, *, limit: int = CARDS_PER_PAGE
) -> list[OfferColumn]:
    for_short_reads(session)
    stmt = select(OfferStatus).order_by(OfferStatus.position, OfferStatus.id)
    if flt.status:
        stmt = stmt.where(OfferStatus.id.in_(flt.status))
    statuses = list(session.scalars(stmt))
    sums = column_sums(session, viewer, flt, [s.id for s in statuses])
    return [
        OfferColumn(
            status,
            sums[status.id][0],
            sums[status.id][1],
            offer_column_page(session, viewer, flt, status.id, limit=limit),
        )
        for status in statuses
    ]


def move_offer(session: Session, editor: User, offer_id: int, status_id: int) -> Offer:
    return set_offer_status(session, editor, offer_id, status_id)
