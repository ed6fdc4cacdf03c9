"""The accounts list (filters in the URL, keyset pages), add, edit, delete.
Who sees which account is decided by ``crm_core.accounts`` (sales: their own)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from capture.admin.accounts import bp
from capture.admin.accounts.labels import ACCOUNT_LABELS, TYPE_LABELS
from capture.admin.auth import login_required, viewer
from capture.admin.list_pages import list_links, page_size
from capture.admin.saved_list_filters import add_saved_filter_routes, saved_filters_of
from capture.database import db_session
from crm_core.accounts.models import Account, AccountType
from crm_core.accounts.queries import list_accounts, parse_account_filter
from crm_core.accounts.schemas import AccountSchema
from crm_core.accounts.services import create_account, delete_account, update_account
from crm_core.accounts.visibility import get_visible_account
from crm_core.contacts.models import Contact
from crm_core.errors import NotFound, ValidationFailed
from crm_core.offers.models import Offer
from crm_core.parents import ParentType
from crm_core.prospects.models import Prospect
from crm_core.users.models import Role
from crm_core.users.queries import active_users

ACCOUNT_FIELDS = tuple(AccountSchema().fields)
add_saved_filter_routes(bp, "accounts", "admin.accounts.index", parse_account_filter)


@bp.get("/accounts", endpoint="index")
@login_required
def accounts_index() -> str:
    flt = parse_account_filter(request.args)
    session = db_session()
    page = list_accounts(
        session,
        viewer(),
        flt,
        after=request.args.get("after"),
        before=request.args.get("before"),
        limit=page_size(),
    )
    return render_template(
        "admin/accounts/list.html",
        flt=flt,
        page=page,
        users=active_users(session),
        type_labels=TYPE_LABELS,
        saved_filters=saved_filters_of("accounts"),
        saved_list="accounts",
        **list_links("admin.accounts.index", flt),
    )


def _form_values(account: Account | None) -> dict[str, str]:
    if account is None:
        user = viewer()
        values = {"type": AccountType.COMPANY.value}
        if user.role == Role.SALES:
            values["owner_id"] = str(user.id)
        return values
    return {f: "" if getattr(account, f) is None else str(getattr(account, f)) for f in ACCOUNT_FIELDS}


def _render_form(account: Account | None, values: dict[str, str], errors: dict[str, list[str]], status: int):  # type: ignore[no-untyped-def]
    return (
        render_template(
            "admin/accounts/form.html",
            account=account,
            values=values,
            errors=errors,
            labels=ACCOUNT_LABELS,
            type_labels=TYPE_LABELS,
            users=active_users(db_session()),
        ),
        status,
    )


def _posted() -> dict[str, str]:
    return {f: request.form[f] for f in ACCOUNT_FIELDS if f in request.form}


@bp.route("/accounts/new", methods=["GET", "POST"], endpoint="new")
@login_required
def account_new():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _render_form(None, _form_values(None), {}, 200)
    session = db_session()
    try:
        account = create_account(session, viewer(), _posted())
    except ValidationFailed as exc:
        session.rollback()
        return _render_form(None, _posted(), exc.fields, 400)
    session.commit()
    flash(f"Account “{account.name}” added.", "success")
    return redirect(url_for("admin.accounts.detail", account_id=account.id))


@bp.route("/accounts/<int:account_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def account_edit(account_id: int):  # type: ignore[no-untyped-def]
    session = db_session()
    account = get_visible_account(session, viewer(), account_id)
    if request.method == "GET":
        return _render_form(account, _form_values(account), {}, 200)
    try:
        update_account(session, viewer(), account.id, _posted())
    except ValidationFailed as exc:
        session.rollback()
        return _render_form(get_visible_account(session, viewer(), account_id), _posted(), exc.fields, 400)
    session.commit()
    flash("Changes saved.", "success")
    try:
        get_visible_account(session, viewer(), account_id)
    except NotFound:  # handed to an owner the editor cannot see
        return redirect(url_for("admin.accounts.index"))
    return redirect(url_for("admin.accounts.detail", account_id=account_id))


def _count(model: type, *where: object) -> int:
    return db_session().scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


@bp.route("/accounts/<int:account_id>/delete", methods=["GET", "POST"], endpoint="delete")
@login_required
def account_delete(account_id: int) -> Response | str:
    session = db_session()
    account = get_visible_account(session, viewer(), account_id)
    if request.method == "GET":
        return render_template(
            "admin/accounts/delete.html",
            account=account,
            offers=_count(Offer, Offer.account_id == account.id),
            contacts=_count(
                Contact, Contact.parent_type == ParentType.ACCOUNT, Contact.parent_id == account.id
            ),
            prospects=_count(Prospect, Prospect.account_id == account.id),
        )
    name = account.name
    delete_account(session, viewer(), account.id)
    session.commit()
    flash(f"Account “{name}” deleted, with its offers.", "success")
    return redirect(url_for("admin.accounts.index"))
