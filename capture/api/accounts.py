"""``/api/v1/accounts``: the customers prospects become (list with the admin
list's filters and keyset cursors, get, create, change, delete). Sales see
and add only their own."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from marshmallow import Schema, fields

from capture.api import problems
from capture.api.auth import api_user
from capture.api.parents import page_answer
from capture.api.resource import Resource
from capture.api.schemas import Id, PageArgs, Strict, Timestamp, form_values, owner_tokens, page_of, patch_of
from capture.api.writes import IDEMPOTENCY_DOC, idempotent_create, write
from capture.database import db_session
from crm_core.accounts.models import Account, AccountType
from crm_core.accounts.queries import list_accounts, parse_account_filter
from crm_core.accounts.schemas import AccountFilterSchema, AccountSchema
from crm_core.accounts.services import create_account, delete_account, update_account
from crm_core.accounts.visibility import get_visible_account
from crm_core.paging import decode_cursor
from crm_core.text.fields import flatten_errors

bp = Resource(
    "accounts",
    __name__,
    url_prefix="/accounts",
    tag="Accounts",
    description="Customers: companies or persons.",
)


class AccountIn(AccountSchema, Strict):
    """The admin's account fields (``crm_core.accounts.schemas``)."""

    owner_id = Id(allow_none=True, load_default=None)

    class Meta:
        unknown = Strict.Meta.unknown


AccountPatch = patch_of(AccountIn, "AccountPatch")


class AccountOut(Schema):
    id = fields.Integer(required=True)
    type = fields.Enum(AccountType, by_value=True, required=True)
    name = fields.String(required=True)
    registration_code = fields.String(required=True)
    trade_register_no = fields.String(required=True)
    reference = fields.String(required=True)
    address = fields.String(required=True)
    postal_code = fields.String(required=True)
    city = fields.String(required=True)
    county = fields.String(required=True)
    country = fields.String(required=True)
    phone = fields.String(required=True)
    email = fields.String(required=True)
    website = fields.String(required=True)
    description = fields.String(required=True)
    owner_id = fields.Integer(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


AccountPage = page_of(AccountOut, "AccountPage")


class AccountListArgs(AccountFilterSchema, PageArgs):
    """The admin list's filters (``crm_core.accounts.schemas.AccountFilterSchema``) and a page."""

    owner = owner_tokens(allow_none=False)


def _current(account: Account) -> dict[str, Any]:
    return {name: getattr(account, name) for name in AccountIn().fields}


@bp.route("", methods=["GET"], endpoint="list")
@bp.arguments(AccountListArgs, location="query", as_kwargs=True)
@bp.response(200, AccountPage)
def list_all(**args: Any) -> Any:
    """List accounts

    `q` searches name, registration code, email and phone (diacritics ignored); `owner` (ids or
    `me`), `type`, `country`, `county`; `sort` by `created` or `name` (`-` for descending).
    """
    flt = parse_account_filter(request.args)
    if flt.errors:
        return problems.validation_problem(flatten_errors(flt.errors))
    for name in ("after", "before"):
        if args.get(name) and decode_cursor(args[name], flt.sort) is None:
            return problems.validation_problem(
                {name: ["This cursor is not from this list (or its sort order)."]}
            )
    page = list_accounts(
        db_session(), api_user(), flt, after=args.get("after"), before=args.get("before"), limit=args["limit"]
    )
    return page_answer(page)


@bp.route("", methods=["POST"], endpoint="create")
@bp.doc(**IDEMPOTENCY_DOC)
@idempotent_create
@bp.arguments(AccountIn)
@bp.response(201, AccountOut)
def create(data: dict[str, Any]) -> Any:
    """Create an account (a sales user's own when no owner is given)"""
    account = create_account(db_session(), api_user(), form_values(data))
    return account, {"Location": url_for("api.accounts.one", account_id=account.id)}


@bp.route("/<id:account_id>", methods=["GET"], endpoint="one")
@bp.response(200, AccountOut)
def one(account_id: int) -> Account:
    """Get an account"""
    return get_visible_account(db_session(), api_user(), account_id)


@bp.route("/<id:account_id>", methods=["PATCH"], endpoint="update")
@write
@bp.arguments(AccountPatch)
@bp.response(200, AccountOut)
def update(data: dict[str, Any], account_id: int) -> Account:
    """Change an account (only the fields sent)"""
    session = db_session()
    current = _current(get_visible_account(session, api_user(), account_id))
    return update_account(session, api_user(), account_id, form_values({**current, **data}))


@bp.route("/<id:account_id>", methods=["DELETE"], endpoint="delete")
@write
@bp.response(204)
def delete(account_id: int) -> Response:
    """Delete an account, its offers, and the records of both (its prospects stay, unlinked)"""
    delete_account(db_session(), api_user(), account_id)
    return Response(status=204)
