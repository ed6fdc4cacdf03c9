"""The offers list, an offer's page, add (on an account), edit, status,
delete. Who sees which offer is decided by ``crm_core.offers`` (sales: the
offers they own and those of their accounts)."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from capture.admin.auth import login_required, viewer
from capture.admin.list_pages import list_links, page_size
from capture.admin.offers import bp
from capture.admin.related_panels import related_context
from capture.admin.saved_list_filters import add_saved_filter_routes, saved_filters_of
from capture.database import db_session
from capture.instance import settings
from crm_core.accounts.models import Account
from crm_core.accounts.visibility import get_visible_account
from crm_core.contacts.queries import contacts_of
from crm_core.errors import NotFound, ValidationFailed
from crm_core.lists.models import OfferStatus, Priority
from crm_core.offers.models import Offer
from crm_core.offers.queries import list_offers, parse_offer_filter
from crm_core.offers.schemas import OfferSchema
from crm_core.offers.services import (
    create_offer,
    default_offer_status_id,
    delete_offer,
    set_offer_status,
    update_offer,
)
from crm_core.offers.visibility import get_visible_offer
from crm_core.parents import Parent, ParentType
from crm_core.products.queries import list_products
from crm_core.users.queries import active_users

OFFER_FIELDS = tuple(OfferSchema().fields)
COMMON_CURRENCIES = ("RON", "EUR", "USD", "GBP", "CHF", "HUF", "PLN", "BGN", "MDL")
add_saved_filter_routes(bp, "offers", "admin.offers.index", parse_offer_filter)


def offer_lists() -> dict[str, Any]:
    """The lists an offer's pages choose from."""
    session = db_session()
    return {
        "statuses": list(session.scalars(select(OfferStatus).order_by(OfferStatus.position, OfferStatus.id))),
        "priorities": list(session.scalars(select(Priority).order_by(Priority.position, Priority.id))),
        "users": active_users(session),
        "currencies": COMMON_CURRENCIES,
    }


@bp.get("/offers", endpoint="index")
@login_required
def offers_index() -> str:
    flt = parse_offer_filter(request.args)
    page = list_offers(
        db_session(),
        viewer(),
        flt,
        after=request.args.get("after"),
        before=request.args.get("before"),
        limit=page_size(),
    )
    session = db_session()
    return render_template(
        "admin/offers/list.html",
        flt=flt,
        page=page,
        account=session.get(Account, flt.account) if flt.account else None,
        statuses=list(session.scalars(select(OfferStatus).order_by(OfferStatus.position, OfferStatus.id))),
        users=active_users(session),
        currencies=COMMON_CURRENCIES,
        saved_filters=saved_filters_of("offers"),
        saved_list="offers",
        **list_links("admin.offers.index", flt),
    )


def render_offer(
    offer: Offer,
    *,
    line_errors: dict[str, list[str]] | None = None,
    line_values: dict[str, str] | None = None,
    failed_line: int | None = None,
    status_error: str = "",
    status: int = 200,
    related: dict[str, Any] | None = None,
) -> tuple[str, int]:
    """The offer's page; after a refused line, with that line's input and messages;
    ``related``: a related-records form that failed (``related_context``'s arguments)."""
    session = db_session()
    return (
        render_template(
            "admin/offers/detail.html",
            offer=offer,
            p=offer,
            account_contacts=contacts_of(session, Parent(ParentType.ACCOUNT, offer.account_id)),
            **related_context(Parent(ParentType.OFFER, offer.id), **(related or {})),
            products=list_products(session, active_only=True),
            line_errors=line_errors or {},
            line_values=line_values or {},
            failed_line=failed_line,
            status_error=status_error,
            **offer_lists(),
        ),
        status,
    )


@bp.get("/offers/<int:offer_id>", endpoint="detail")
@login_required
def offer_detail(offer_id: int) -> tuple[str, int]:
    """``?filter=`` and ``?after=`` page the timeline without JavaScript."""
    timeline = {"filter_key": request.args.get("filter", "all"), "after": request.args.get("after") or None}
    return render_offer(get_visible_offer(db_session(), viewer(), offer_id), related=timeline)


def _form_values(offer: Offer | None) -> dict[str, str]:
    if offer is None:
        return {"currency": settings().default_currency, "probability": "50"}
    values = {f: "" if getattr(offer, f) is None else str(getattr(offer, f)) for f in OFFER_FIELDS}
    if offer.expiry_date:
        values["expiry_date"] = offer.expiry_date.isoformat()
    return values


def _render_form(
    account: Account, offer: Offer | None, values: dict[str, str], errors: dict[str, list[str]], status: int
) -> tuple[str, int]:
    session = db_session()
    return (
        render_template(
            "admin/offers/form.html",
            account=account,
            offer=offer,
            values=values,
            errors=errors,
            contacts=contacts_of(session, Parent(ParentType.ACCOUNT, account.id)),
            default_status_id=default_offer_status_id(session),
            **offer_lists(),
        ),
        status,
    )


def _posted() -> dict[str, str]:
    return {f: request.form[f] for f in OFFER_FIELDS if f in request.form}


@bp.route("/accounts/<int:account_id>/offers/new", methods=["GET", "POST"], endpoint="new")
@login_required
def offer_new(account_id: int) -> Response | tuple[str, int]:
    session = db_session()
    account = get_visible_account(session, viewer(), account_id)
    if request.method == "GET":
        values = _form_values(None)
        values["owner_id"] = str(account.owner_id or viewer().id)
        return _render_form(account, None, values, {}, 200)
    try:
        offer = create_offer(session, viewer(), account.id, _posted())
    except ValidationFailed as exc:
        session.rollback()
        return _render_form(
            get_visible_account(session, viewer(), account_id), None, _posted(), exc.fields, 400
        )
    session.commit()
    flash(f"Offer “{offer.name}” added. Add its lines below.", "success")
    return redirect(url_for("admin.offers.detail", offer_id=offer.id))


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"], endpoint="edit")
@login_required
def offer_edit(offer_id: int) -> Response | tuple[str, int]:
    session = db_session()
    offer = get_visible_offer(session, viewer(), offer_id)
    if request.method == "GET":
        return _render_form(offer.account, offer, _form_values(offer), {}, 200)
    try:
        update_offer(session, viewer(), offer.id, _posted())
    except ValidationFailed as exc:
        session.rollback()
        offer = get_visible_offer(session, viewer(), offer_id)
        return _render_form(offer.account, offer, _posted(), exc.fields, 400)
    session.commit()
    flash("Changes saved.", "success")
    try:
        get_visible_offer(session, viewer(), offer_id)
    except NotFound:  # handed to an owner the editor cannot see
        return redirect(url_for("admin.offers.index"))
    return redirect(url_for("admin.offers.detail", offer_id=offer_id))


@bp.post("/offers/<int:offer_id>/status", endpoint="set_status")
@login_required
def offer_status(offer_id: int) -> Response | tuple[str, int]:
    session = db_session()
    offer = get_visible_offer(session, viewer(), offer_id)
    raw = request.form.get("status_id", "")
    try:
        set_offer_status(session, viewer(), offer.id, int(raw) if raw.isdigit() else 0)
    except ValidationFailed:
        session.rollback()
        offer = get_visible_offer(session, viewer(), offer_id)
        return render_offer(offer, status_error="Choose a status from the list.", status=400)
    session.commit()
    chosen = session.get(OfferStatus, offer.status_id)
    flash(f"Status set to “{chosen.name if chosen else ''}”.", "success")
    return redirect(url_for("admin.offers.detail", offer_id=offer_id))


@bp.route("/offers/<int:offer_id>/delete", methods=["GET", "POST"], endpoint="delete")
@login_required
def offer_delete(offer_id: int) -> Response | str:
    session = db_session()
    offer = get_visible_offer(session, viewer(), offer_id)
    if request.method == "GET":
        return render_template("admin/offers/delete.html", offer=offer)
    name, account_id = offer.name, offer.account_id
    delete_offer(session, viewer(), offer.id)
    session.commit()
    flash(f"Offer “{name}” deleted.", "success")
    try:
        get_visible_account(session, viewer(), account_id)
    except NotFound:
        return redirect(url_for("admin.offers.index"))
    return redirect(url_for("admin.accounts.detail", account_id=account_id))
