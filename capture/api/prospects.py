"""``/api/v1/prospects``: the list (the admin list's filters, keyset cursors),
one prospect, create, change, delete, and a status change — through the same
``crm_core`` services as the admin, so automatic tasks, history, conversion
rules and events follow every change. A status of kind "converted" is
reached only by converting (``POST …/conversion``), never by a status change."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from marshmallow import Schema, fields, validate

from capture.api import problems
from capture.api.accounts import AccountIn, AccountOut
from capture.api.auth import api_user
from capture.api.offers import OfferOut
from capture.api.resource import Resource
from capture.api.schemas import (
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
from capture.instance import settings, zone
from crm_core.prospects.conversion import ACCOUNT_FIELDS, OFFER_FIELDS, conversion_defaults, convert_prospect
from crm_core.prospects.filters import parse_filter
from crm_core.prospects.models import PROSPECT_TEXT_FIELDS, Prospect
from crm_core.prospects.queries import Cursor, list_page
from crm_core.prospects.schemas import FilterSchema
from crm_core.prospects.services import create_prospect, delete_prospect, update_prospect
from crm_core.prospects.status import change_status
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.text.fields import Line, Lines, email_address, phone_number

bp = Resource(
    "prospects",
    __name__,
    url_prefix="/prospects",
    tag="Prospects",
    description="Leads: from web forms, imports or typed in; sales see only their own.",
)

# A stored name may carry a form's prefix ("[Web] "), hence longer than a visitor's 200.
NAME_MAX = 250
_TEXT_CHECKS = {"email": email_address, "phone": phone_number}


def _text_field(name: str, length: int) -> fields.Field:
    if name == "name":
        return Line(NAME_MAX, required=True)
    if name == "description":
        return Lines(length)
    return Line(length, validate=_TEXT_CHECKS.get(name))


# A prospect as typed: ``name`` is required; unset status, source and priority get the defaults.
ProspectIn = Strict.from_dict(
    {
        **{name: _text_field(name, length) for name, length in PROSPECT_TEXT_FIELDS.items()},
        **{name: Id(allow_none=True) for name in ("status_id", "priority_id", "source_id", "owner_id")},
    },
    name="ProspectIn",
)


ProspectPatch = patch_of(ProspectIn, "ProspectPatch")


class StatusChange(Strict):
    status_id = Id(required=True)


class ProspectSummary(Schema):
    """A row of the list."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    company = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    status_id = fields.Integer(allow_none=True, required=True)
    priority_id = fields.Integer(allow_none=True, required=True)
    source_id = fields.Integer(allow_none=True, required=True)
    owner_id = fields.Integer(allow_none=True, required=True)
    form_id = fields.Integer(allow_none=True, required=True)
    created_at = Timestamp(required=True)


class ProspectOut(ProspectSummary):
    trade_register_no = fields.String(required=True)
    registration_code = fields.String(required=True)
    address = fields.String(required=True)
    postal_code = fields.String(required=True)
    city = fields.String(required=True)
    county = fields.String(required=True)
    country = fields.String(required=True)
    description = fields.String(required=True)
    page_url = fields.String(required=True)
    referrer = fields.String(required=True)
    attribution = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    custom_fields = fields.Dict(keys=fields.String(), required=True)
    consent_given = fields.Boolean(required=True)
    consent_text = fields.String(required=True)
    consent_at = Timestamp(allow_none=True, required=True)
    account_id = fields.Integer(allow_none=True, required=True)
    converted_at = Timestamp(
        allow_none=True, required=True, metadata={"description": "Set once converted; it is read-only then."}
    )
    open_tasks = fields.Integer(required=True)
    next_task_due = fields.Date(allow_none=True, required=True)
    last_activity_at = Timestamp(allow_none=True, required=True)
    updated_at = Timestamp(required=True)


ProspectPage = page_of(ProspectSummary, "ProspectPage")


# The new account; what is left out comes from the prospect (name, registration data, address…).
ConversionAccountIn = patch_of(AccountIn, "ConversionAccountIn")


class _ConversionOffer(Strict):
    name = Line(200)
    expiry_date = fields.Date(allow_none=True)
    probability = fields.Integer(strict=True, validate=validate.Range(min=0, max=100))
    priority_id = Id(allow_none=True)
    currency = Line(3)
    description = Lines(5000)


# The offer made with the conversion; what is left out: named after the account, the default currency.
ConversionOfferIn = patch_of(_ConversionOffer, "ConversionOfferIn")


class ConversionIn(Strict):
    account_id = Id(
        allow_none=True, metadata={"description": "Link this existing account instead of creating one."}
    )
    account = fields.Nested(ConversionAccountIn)
    offer = fields.Nested(ConversionOfferIn)
    copy_contacts = fields.Boolean(
        load_default=True, metadata={"description": "Copy the prospect's contacts to the account."}
    )
    create_anyway = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Create the account even though one with the same registration code exists."
        },
    )


class ConversionOut(Schema):
    prospect = fields.Nested(ProspectOut, required=True)
    account = fields.Nested(AccountOut, required=True)
    offer = fields.Nested(OfferOut, required=True, allow_none=True)
    linked = fields.Boolean(required=True, metadata={"description": "An existing account, not a new one."})


class ProspectListArgs(FilterSchema, PageArgs):
    """The admin list's filters (``crm_core.prospects.schemas.FilterSchema``) and a page;
    ids kept within the database's integer range."""

    owner = owner_tokens(allow_none=True)
    status = id_list("Status ids; repeat for several. Converted prospects show only when asked for.")
    priority = id_list("Priority ids.")
    source = id_list("Source ids.")
    form = id_list("Web form ids.")


def _location(prospect_id: int) -> dict[str, str]:
    return {"Location": url_for("api.prospects.one", prospect_id=prospect_id)}


@bp.route("", methods=["GET"], endpoint="list")
@bp.arguments(ProspectListArgs, location="query", as_kwargs=True)
@bp.response(200, ProspectPage)
def list_prospects(**args: Any) -> Any:
    """List prospects

    Filters as in the admin list: `q` (quick search, diacritics ignored), created dates, `owner`
    (user ids, `me`, `none`), `status`, `priority`, `source`, `form` (repeat a parameter for
    several values), and text fields; converted prospects appear only when `status` asks for them.
    """
    flt, errors = parse_filter(request.args)
    cursor = args.get("after") or args.get("before")
    if cursor and Cursor.decode(cursor, flt.sort) is None:
        errors["after" if args.get("after") else "before"] = [
            "This cursor is not from this list (or its sort order); start again from the first page."
        ]
    if errors:
        return problems.validation_problem(errors)
    page = list_page(
        db_session(), api_user(), flt, after=args.get("after"), before=args.get("before"), limit=args["limit"]
    )
    return {"items": page.rows, "next_cursor": page.next_cursor, "prev_cursor": page.prev_cursor}


@bp.route("", methods=["POST"], endpoint="create")
@bp.doc(**IDEMPOTENCY_DOC)
@idempotent_create
@bp.arguments(ProspectIn)
@bp.response(201, ProspectOut)
def create(data: dict[str, Any]) -> Any:
    """Create a prospect

    It enters its status like any other (automatic tasks, the history, a `prospect.created` event).
    """
    prospect = create_prospect(db_session(), api_user(), form_values(data), zone=zone())
    return prospect, _location(prospect.id)


@bp.route("/<id:prospect_id>", methods=["GET"], endpoint="one")
@bp.response(200, ProspectOut)
def one(prospect_id: int) -> Prospect:
    """Get a prospect"""
    return get_visible_prospect(db_session(), api_user(), prospect_id)


@bp.route("/<id:prospect_id>", methods=["PATCH"], endpoint="update")
@write
@bp.arguments(ProspectPatch)
@bp.response(200, ProspectOut)
def update(data: dict[str, Any], prospect_id: int) -> Prospect:
    """Change a prospect

    Only the fields sent change. A converted prospect is read-only (409).
    """
    return update_prospect(db_session(), api_user(), prospect_id, form_values(data), zone=zone())


@bp.route("/<id:prospect_id>", methods=["DELETE"], endpoint="delete")
@write
@bp.response(204)
def delete(prospect_id: int) -> Response:
    """Delete a prospect, with its contacts, activities, tasks and notes"""
    delete_prospect(db_session(), api_user(), prospect_id)
    return Response(status=204)


@bp.route("/<id:prospect_id>/status", methods=["POST"], endpoint="status")
@write
@bp.arguments(StatusChange)
@bp.response(200, ProspectOut)
def status(data: dict[str, Any], prospect_id: int) -> Prospect:
    """Change a prospect's status

    Runs what entering the status does (its task templates); the same status again changes nothing.
    A status of kind "converted" is refused (409): convert the prospect instead.
    """
    return change_status(db_session(), api_user(), prospect_id, data["status_id"], zone=zone())


@bp.route("/<id:prospect_id>/conversion", methods=["POST"], endpoint="convert")
@write
@bp.arguments(ConversionIn)
@bp.response(201, ConversionOut)
def convert(data: dict[str, Any], prospect_id: int) -> Any:
    """Convert a prospect into an account and an offer

    In one transaction: the account (new, from the prospect's data and `account`, or the existing
    `account_id`), the prospect's contacts copied, the offer, and the prospect marked converted
    (its status of kind "converted"; read-only from then on). Converting twice makes nothing twice
    (409). An account with the same registration code is a 409 `possible-duplicate` unless
    `create_anyway` or `account_id` is given.
    """
    session = db_session()
    prospect = get_visible_prospect(session, api_user(), prospect_id)
    flat: dict[str, Any] = dict(conversion_defaults(prospect, settings().default_currency))
    flat.update(
        {name: value for name, value in (data.get("account") or {}).items() if name in ACCOUNT_FIELDS}
    )
    offer_names = {target: source for source, target in OFFER_FIELDS.items()}
    flat.update({offer_names[name]: value for name, value in (data.get("offer") or {}).items()})
    flat.update(account_id=data.get("account_id"), copy_contacts=data["copy_contacts"])
    flat.update(create_anyway=data["create_anyway"])
    done = convert_prospect(session, api_user(), prospect_id, form_values(flat), zone=zone())
    session.flush()
    session.refresh(done.prospect)
    return {"prospect": done.prospect, "account": done.account, "offer": done.offer, "linked": done.linked}
