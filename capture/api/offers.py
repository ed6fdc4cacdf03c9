"""``/api/v1/offers``: offers to accounts with their lines (list with the admin
list's filters and keyset cursors, get, create on an account, change, status,
lines, delete). Amounts are decimal strings (``"1250.50"``), never floats;
totals are recomputed by the domain, rounded per currency."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from marshmallow import Schema, fields, validate

from capture.api import problems
from capture.api.auth import api_user
from capture.api.parents import page_answer
from capture.api.resource import Resource
from capture.api.schemas import (
    MAX_ID,
    DecimalString,
    Id,
    PageArgs,
    Strict,
    Timestamp,
    form_values,
    id_list,
    owner_tokens,
    page_of,
    patch_of,
)
from capture.api.writes import IDEMPOTENCY_DOC, idempotent_create, write
from capture.database import db_session
from crm_core.offers.models import Offer
from crm_core.offers.queries import list_offers, parse_offer_filter
from crm_core.offers.schemas import OfferFilterSchema, OfferLineSchema, OfferSchema
from crm_core.offers.services import (
    MAX_LINES,
    create_offer,
    delete_offer,
    set_lines,
    set_offer_status,
    update_offer,
)
from crm_core.offers.visibility import get_visible_offer
from crm_core.paging import decode_cursor
from crm_core.text.fields import flatten_errors

bp = Resource(
    "offers",
    __name__,
    url_prefix="/offers",
    tag="Offers",
    description="Offers to accounts, with their lines.",
)


class OfferIn(OfferSchema, Strict):
    """The admin's offer fields (``crm_core.offers.schemas``)."""

    priority_id = Id(allow_none=True, load_default=None)
    contact_id = Id(
        allow_none=True, load_default=None, metadata={"description": "One of the account's contacts."}
    )
    owner_id = Id(allow_none=True, load_default=None)
    status_id = Id(allow_none=True, load_default=None)

    class Meta:
        unknown = Strict.Meta.unknown


class NewOfferIn(OfferIn):
    account_id = Id(required=True)


OfferPatch = patch_of(OfferIn, "OfferPatch")


class OfferLineIn(OfferLineSchema, Strict):
    """A line: a product from the catalogue (its name, unit and price are
    copied unless given) or a named line; decimals as strings or numbers."""

    product_id = Id(allow_none=True, load_default=None)

    class Meta:
        unknown = Strict.Meta.unknown


class OfferLinesIn(Strict):
    lines = fields.List(fields.Nested(OfferLineIn), required=True, validate=validate.Length(max=MAX_LINES))


class OfferStatusChange(Strict):
    status_id = Id(required=True)


class OfferLineOut(Schema):
    id = fields.Integer(required=True)
    position = fields.Integer(required=True)
    product_id = fields.Integer(required=True, allow_none=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    quantity = DecimalString(places=3, required=True)
    unit_price = DecimalString(places=4, required=True)
    discount_pct = DecimalString(places=2, required=True)
    line_total = DecimalString(places=4, required=True)


class OfferOut(Schema):
    id = fields.Integer(required=True)
    account_id = fields.Integer(required=True)
    name = fields.String(required=True)
    expiry_date = fields.Date(required=True, allow_none=True)
    probability = fields.Integer(required=True)
    priority_id = fields.Integer(required=True, allow_none=True)
    currency = fields.String(required=True)
    description = fields.String(required=True)
    contact_id = fields.Integer(required=True, allow_none=True)
    owner_id = fields.Integer(required=True, allow_none=True)
    status_id = fields.Integer(required=True, allow_none=True)
    total = DecimalString(places=4, required=True)
    prospect_id = fields.Integer(
        required=True, allow_none=True, metadata={"description": "The prospect it was converted from."}
    )
    lines = fields.List(fields.Nested(OfferLineOut), required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class OfferSummary(OfferOut):
    class Meta:
        exclude = ("lines",)


OfferPage = page_of(OfferSummary, "OfferPage")


class OfferListArgs(OfferFilterSchema, PageArgs):
    """The admin list's filters (``crm_core.offers.schemas.OfferFilterSchema``) and a page."""

    owner = owner_tokens(allow_none=False)
    status = id_list("Offer status ids; repeat for several.")
    account = fields.Integer(
        strict=False, validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "An account's id."}
    )


def _current(offer: Offer) -> dict[str, Any]:
    return {name: getattr(offer, name) for name in OfferIn().fields}


@bp.route("", methods=["GET"], endpoint="list")
@bp.arguments(OfferListArgs, location="query", as_kwargs=True)
@bp.response(200, OfferPage)
def list_all(**args: Any) -> Any:
    """List offers

    `q` searches the name; `owner` (ids or `me`), `status`, `currency`, expiry dates, probability
    range, `account`; `sort` by `created`, `expiry`, `name` or `total` (`-` for descending).
    """
    flt = parse_offer_filter(request.args)
    if flt.errors:
        return problems.validation_problem(flatten_errors(flt.errors))
    for name in ("after", "before"):
        if args.get(name) and decode_cursor(args[name], flt.sort) is None:
            return problems.validation_problem(
                {name: ["This cursor is not from this list (or its sort order)."]}
            )
    page = list_offers(
        db_session(), api_user(), flt, after=args.get("after"), before=args.get("before"), limit=args["limit"]
    )
    return page_answer(page)


@bp.route("", methods=["POST"], endpoint="create")
@bp.doc(**IDEMPOTENCY_DOC)
@idempotent_create
@bp.arguments(NewOfferIn)
@bp.response(201, OfferOut)
def create(data: dict[str, Any]) -> Any:
    """Create an offer on an account (then add its lines)"""
    account_id = data.pop("account_id")
    offer = create_offer(db_session(), api_user(), account_id, form_values(data))
    return offer, {"Location": url_for("api.offers.one", offer_id=offer.id)}


@bp.route("/<id:offer_id>", methods=["GET"], endpoint="one")
@bp.response(200, OfferOut)
def one(offer_id: int) -> Offer:
    """Get an offer with its lines"""
    return get_visible_offer(db_session(), api_user(), offer_id)


@bp.route("/<id:offer_id>", methods=["PATCH"], endpoint="update")
@write
@bp.arguments(OfferPatch)
@bp.response(200, OfferOut)
def update(data: dict[str, Any], offer_id: int) -> Offer:
    """Change an offer (only the fields sent)"""
    session = db_session()
    current = _current(get_visible_offer(session, api_user(), offer_id))
    return update_offer(session, api_user(), offer_id, form_values({**current, **data}))


@bp.route("/<id:offer_id>/lines", methods=["PUT"], endpoint="lines")
@write
@bp.arguments(OfferLinesIn)
@bp.response(200, OfferOut)
def lines(data: dict[str, Any], offer_id: int) -> Offer:
    """Replace an offer's lines

    All at once, in order; errors are reported per line as `lines.<n>.<field>`.
    """
    # A line's empty price means "the product's": left out, as the admin's form leaves it.
    rows = [form_values({k: v for k, v in row.items() if v is not None}) for row in data["lines"]]
    return set_lines(db_session(), api_user(), offer_id, rows)


@bp.route("/<id:offer_id>/status", methods=["POST"], endpoint="status")
@write
@bp.arguments(OfferStatusChange)
@bp.response(200, OfferOut)
def status(data: dict[str, Any], offer_id: int) -> Offer:
    """Change an offer's status (see `/lists/offer-statuses`)"""
    return set_offer_status(db_session(), api_user(), offer_id, data["status_id"])


@bp.route("/<id:offer_id>", methods=["DELETE"], endpoint="delete")
@write
@bp.response(204)
def delete(offer_id: int) -> Response:
    """Delete an offer with its lines and records"""
    delete_offer(db_session(), api_user(), offer_id)
    return Response(status=204)
