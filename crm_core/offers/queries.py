"""Reading offers: the list (filters, keyset pages) and an account's offers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from crm_core.list_filters import owner_ids
from crm_core.offers.models import Offer
from crm_core.offers.schemas import OfferFilterSchema
from crm_core.offers.visibility import offer_clauses
from crm_core.paging import Page, keyset_page
from crm_core.users.models import User

_filters = OfferFilterSchema()


@dataclass(frozen=True)
class OfferFilter:
    q: str = ""
    owner: tuple[str, ...] = ()
    status: tuple[int, ...] = ()
    currency: str = ""
    expiry_from: date | None = None
    expiry_to: date | None = None
    probability_min: int | None = None
    probability_max: int | None = None
    account: int | None = None
    sort: str = "-created"
    errors: dict[str, Any] = field(default_factory=dict, compare=False)


def parse_offer_filter(args: Mapping[str, Any]) -> OfferFilter:
    getlist = getattr(args, "getlist", lambda name: [args[name]] if name in args else [])
    raw: dict[str, Any] = {
        name: args.get(name, "")
        for name in (
            "q",
            "currency",
            "expiry_from",
            "expiry_to",
            "probability_min",
            "probability_max",
            "account",
        )
    }
    raw = {k: (v if v != "" or k in ("q", "currency") else None) for k, v in raw.items()}
    raw.update(
        owner=[v for v in getlist("owner") if v],
        status=[v for v in getlist("status") if v],
        sort=args.get("sort") or "-created",
    )
    try:
        data = _filters.load(raw)
        errors: dict[str, Any] = {}
    except ValidationError as exc:
        errors = exc.messages  # type: ignore[assignment]
        data = _filters.load({k: v for k, v in raw.items() if k not in errors})
    return OfferFilter(
        q=data["q"].strip(),
        owner=tuple(data["owner"]),
        status=tuple(data["status"]),
        currency=data["currency"].strip().upper(),
        expiry_from=data["expiry_from"],
        expiry_to=data["expiry_to"],
        probability_min=data["probability_min"],
        probability_max=data["probability_max"],
        account=data["account"],
        sort=data["sort"],
        errors=errors,
    )


def _clauses(flt: OfferFilter, viewer: User) -> list[ColumnElement[bool]]:
    clauses = list(offer_clauses(viewer))
    if flt.q:
        clauses.append(func.lower(Offer.name).contains(flt.q.lower(), autoescape=True))
    owners = owner_ids(flt.owner, viewer)
    if owners:
        clauses.append(Offer.owner_id.in_(owners))
    if flt.status:
        clauses.append(Offer.status_id.in_(flt.status))
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


_SORT = {
    "created": (Offer.created_at, "created_at"),
    "expiry": (func.coalesce(Offer.expiry_date, date(9999, 12, 31)), "expiry_date"),
    "name": (Offer.name, "name"),
    "total": (Offer.total, "total"),
}


def list_offers(
    session: Session,
    viewer: User,
    flt: OfferFilter,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
) -> Page:
    column, attribute = _SORT[flt.sort.lstrip("-")]
    stmt: Select[Any] = select(Offer).where(*_clauses(flt, viewer))

    def key_of(row: Any) -> tuple[Any, int]:
        value = getattr(row[0], attribute)
        if attribute == "expiry_date" and value is None:
            value = date(9999, 12, 31)
        return value, row[0].id

    return keyset_page(
        session,
        stmt,
        sort=flt.sort,
        column=column,
        id_column=Offer.id,
        key_of=key_of,
        after=after,
        before=before,
        limit=limit,
    )


def offers_of_account(session: Session, viewer: User, account_id: int) -> list[Offer]:
    stmt = select(Offer).where(Offer.account_id == account_id, *offer_clauses(viewer))
    return list(session.scalars(stmt.order_by(Offer.created_at.desc(), Offer.id.desc())))
