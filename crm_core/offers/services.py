"""Changing offers: create on an account, edit, lines (a product's name, unit
and price are copied when picked), status, delete, and the daily expiry of
sent offers past their date. The total is recomputed, in ``Decimal`` rounded
per currency, whenever a line or the currency changes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.accounts.visibility import get_visible_account
from crm_core.contacts.models import Contact
from crm_core.errors import ValidationFailed
from crm_core.events.payloads import offer_data
from crm_core.events.services import record_event
from crm_core.lists.models import OfferStatus, OfferStatusKind, Priority
from crm_core.offers.models import Offer, OfferLine
from crm_core.offers.money import line_total, round_money
from crm_core.offers.schemas import OfferLineSchema, OfferSchema
from crm_core.offers.visibility import get_visible_offer
from crm_core.parents import ParentType
from crm_core.products.models import Product
from crm_core.related import delete_related
from crm_core.text.fields import flatten_errors
from crm_core.users.models import User

MAX_LINES = 200
_offer_schema = OfferSchema()
_line_schema = OfferLineSchema()


def default_offer_status_id(session: Session) -> int | None:
    return session.scalar(
        select(OfferStatus.id).order_by(OfferStatus.is_default.desc(), OfferStatus.position).limit(1)
    )


def load_offer(session: Session, account_id: int, data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        values: dict[str, Any] = _offer_schema.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    errors: dict[str, list[str]] = {}
    if values["priority_id"] is not None and session.get(Priority, values["priority_id"]) is None:
        errors["priority_id"] = ["Choose a value from the list."]
    if values["status_id"] is not None and session.get(OfferStatus, values["status_id"]) is None:
        errors["status_id"] = ["Choose a value from the list."]
    if values["owner_id"] is not None:
        owner = session.get(User, values["owner_id"])
        if owner is None or not owner.active:
            errors["owner_id"] = ["Choose an active user."]
    contact_id = values["contact_id"]
    if contact_id is not None:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.parent_type != ParentType.ACCOUNT or contact.parent_id != account_id:
            errors["contact_id"] = ["Choose one of the account's contacts."]
    if errors:
        raise ValidationFailed(errors)
    return values


def recompute_total(offer: Offer) -> None:
    for line in offer.lines:
        line.line_total = line_total(line.quantity, line.unit_price, line.discount_pct, offer.currency)
    offer.total = round_money(sum((line.line_total for line in offer.lines), Decimal(0)), offer.currency)


def create_offer(
    session: Session,
    editor: User,
    account_id: int,
    data: Mapping[str, Any],
    *,
    prospect_id: int | None = None,
) -> Offer:
    account = get_visible_account(session, editor, account_id)
    values = load_offer(session, account.id, data)
    offer = Offer(
        account_id=account.id,
        prospect_id=prospect_id,
        **{
            **values,
            "owner_id": values["owner_id"] or account.owner_id or editor.id,
            "status_id": values["status_id"] or default_offer_status_id(session),
        },
    )
    offer.lines = []
    recompute_total(offer)
    session.add(offer)
    session.flush()
    record_event(session, "offer.created", {"offer": offer_data(offer), "by_user_id": editor.id})
    return offer


def update_offer(session: Session, editor: User, offer_id: int, data: Mapping[str, Any]) -> Offer:
    offer = get_visible_offer(session, editor, offer_id)
    values = load_offer(session, offer.account_id, data)
    for name, value in values.items():
        if name in ("owner_id", "status_id") and value is None:
            continue
        setattr(offer, name, value)
    recompute_total(offer)
    session.flush()
    return offer


def _line(session: Session, data: Mapping[str, Any]) -> OfferLine:
    try:
        values: dict[str, Any] = _line_schema.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    product = None
    if values["product_id"] is not None:
        product = session.get(Product, values["product_id"])
        if product is None:
            raise ValidationFailed({"product_id": ["Choose a product from the catalogue."]})
    price = values["unit_price"]
    return OfferLine(
        product_id=product.id if product else None,
        name=values["name"] or (product.name if product else ""),
        unit=values["unit"] or (product.unit if product else "pc"),
        quantity=values["quantity"],
        unit_price=price if price is not None else (product.price if product else Decimal(0)),
        discount_pct=values["discount_pct"],
    )


def add_line(session: Session, editor: User, offer_id: int, data: Mapping[str, Any]) -> OfferLine:
    offer = get_visible_offer(session, editor, offer_id)
    if len(offer.lines) >= MAX_LINES:
        raise ValidationFailed({"name": [f"An offer has at most {MAX_LINES} lines."]})
    line = _line(session, data)
    line.position = (max((item.position for item in offer.lines), default=-1)) + 1
    offer.lines.append(line)
    recompute_total(offer)
    session.flush()
    return line


def set_lines(session: Session, editor: User, offer_id: int, rows: Sequence[Mapping[str, Any]]) -> Offer:
    """Replace every line at once (the offer form posts them all); errors are
    reported per row as ``lines.<n>.<field>``."""
    offer = get_visible_offer(session, editor, offer_id)
    if len(rows) > MAX_LINES:
        raise ValidationFailed({"lines": [f"An offer has at most {MAX_LINES} lines."]})
    lines, errors = [], {}
    for index, row in enumerate(rows):
        try:
            line = _line(session, row)
        except ValidationFailed as exc:
            errors.update({f"lines.{index}.{name}": messages for name, messages in exc.fields.items()})
            continue
        line.position = index
        lines.append(line)
    if errors:
        raise ValidationFailed(errors)
    offer.lines = lines
    recompute_total(offer)
    session.flush()
    return offer


def remove_line(session: Session, editor: User, offer_id: int, line_id: int) -> Offer:
    offer = get_visible_offer(session, editor, offer_id)
    offer.lines = [line for line in offer.lines if line.id != line_id]
    recompute_total(offer)
    session.flush()
    return offer


def set_offer_status(session: Session, editor: User, offer_id: int, status_id: int) -> Offer:
    offer = get_visible_offer(session, editor, offer_id)
    if session.get(OfferStatus, status_id) is None:
        raise ValidationFailed({"status_id": ["Choose a value from the list."]})
    old = offer.status_id
    offer.status_id = status_id
    session.flush()
    if old != status_id:
        record_event(
            session,
            "offer.status_changed",
            {"offer": offer_data(offer), "from_offer_status_id": old, "by_user_id": editor.id},
        )
    return offer


def delete_offer(session: Session, editor: User, offer_id: int) -> Offer:
    offer = get_visible_offer(session, editor, offer_id)
    delete_related(session, ParentType.OFFER, [offer.id])
    session.delete(offer)
    session.flush()
    return offer


def expire_offers(session: Session, today: date) -> int:
    """Sent offers past their expiry date become "expired" (the first status of
    kind expired). Run daily by the worker; running it twice changes nothing more."""
    sent = select(OfferStatus.id).where(OfferStatus.kind == OfferStatusKind.SENT)
    expired = session.scalar(
        select(OfferStatus.id)
        .where(OfferStatus.kind == OfferStatusKind.EXPIRED)
        .order_by(OfferStatus.position)
        .limit(1)
    )
    if expired is None:
        return 0
    due = list(session.scalars(select(Offer).where(Offer.status_id.in_(sent), Offer.expiry_date < today)))
    for offer in due:
        old = offer.status_id
        offer.status_id = expired
        session.flush()
        record_event(
            session,
            "offer.status_changed",
            {"offer": offer_data(offer), "from_offer_status_id": old, "by_user_id": None},
        )
    return len(due)
