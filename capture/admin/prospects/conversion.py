"""Turning a prospect into a customer, from its card: **convert**
("Transformă în Ofertă": a pre-filled page creates — or links — the account,
copies the contacts and creates the offer, in one transaction), **allocate**
("Alocă unui Cont": link it to an account found by name, registration code or
email) and, for an admin, **reopen** a converted prospect. The rules and the
exactly-once guarantee live in ``crm_core.prospects.conversion``."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from capture.admin.accounts.labels import ACCOUNT_LABELS, TYPE_LABELS
from capture.admin.auth import login_required, roles_required, viewer
from capture.admin.offers.views import offer_lists
from capture.admin.prospects import bp
from capture.database import db_session
from capture.instance import settings, zone
from crm_core.accounts.models import Account, AccountType
from crm_core.accounts.queries import matching_accounts, search_accounts
from crm_core.contacts.queries import contacts_of
from crm_core.errors import AlreadyConverted, PossibleDuplicate, ValidationFailed
from crm_core.parents import Parent
from crm_core.permissions import SETTINGS_MANAGERS
from crm_core.prospects.conversion import (
    allocate_prospect,
    conversion_defaults,
    convert_prospect,
    reopen_prospect,
)
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import get_visible_prospect

OFFER_NAMES = {"name": "offer_name", "description": "offer_description"}


def _prospect(prospect_id: int) -> Prospect:
    return get_visible_prospect(db_session(), viewer(), prospect_id)


def _already(prospect: Prospect) -> Response:
    flash(f"“{prospect.name}” is already converted; nothing was created twice.", "warning")
    return redirect(url_for("admin.prospects.detail", prospect_id=prospect.id))


def _render_convert(
    prospect: Prospect,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    matches: list[Account] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "admin/prospects/convert.html",
            p=prospect,
            values=values,
            errors=errors or {},
            matches=matches or [],
            labels=ACCOUNT_LABELS,
            type_labels=TYPE_LABELS,
            prospect_contacts=contacts_of(db_session(), Parent.prospect(prospect.id)),
            names=OFFER_NAMES,
            **offer_lists(),
        ),
        status,
    )


@bp.route("/prospects/<int:prospect_id>/convert", methods=["GET", "POST"], endpoint="convert")
@login_required
def prospect_convert(prospect_id: int) -> Response | tuple[str, int]:
    prospect = _prospect(prospect_id)
    if prospect.converted_at is not None:
        return _already(prospect)
    if request.method == "GET":
        return _render_convert(prospect, conversion_defaults(prospect, settings().default_currency))
    session = db_session()
    posted = request.form.to_dict()
    try:
        done = convert_prospect(session, viewer(), prospect.id, posted, zone=zone())
    except PossibleDuplicate as exc:
        session.rollback()
        return _render_convert(_prospect(prospect_id), posted, matches=list(exc.matches), status=409)  # type: ignore[arg-type]
    except ValidationFailed as exc:
        session.rollback()
        return _render_convert(_prospect(prospect_id), posted, exc.fields, status=400)
    except AlreadyConverted:
        session.rollback()
        return _already(_prospect(prospect_id))
    session.commit()
    how = "linked to the existing account" if done.linked else "a new account"
    offer = f" and the offer “{done.offer.name}”" if done.offer else ""
    flash(f"“{prospect.name}” converted: {how} “{done.account.name}”{offer}.", "success")
    return redirect(url_for("admin.accounts.detail", account_id=done.account.id))


@bp.route("/prospects/<int:prospect_id>/allocate", methods=["GET", "POST"], endpoint="allocate")
@login_required
def prospect_allocate(prospect_id: int) -> Response | tuple[str, int]:
    prospect = _prospect(prospect_id)
    if prospect.converted_at is not None:
        return _already(prospect)
    session = db_session()
    error = ""
    if request.method == "POST":
        raw = request.form.get("account_id", "")
        if raw.isdigit():
            try:
                done = allocate_prospect(
                    session,
                    viewer(),
                    prospect.id,
                    int(raw),
                    copy_contacts=request.form.get("copy_contacts") == "1",
                    zone=zone(),
                )
            except AlreadyConverted:
                session.rollback()
                return _already(_prospect(prospect_id))
            session.commit()
            flash(f"“{prospect.name}” allocated to the account “{done.account.name}”.", "success")
            return redirect(url_for("admin.accounts.detail", account_id=done.account.id))
        error = "Choose an account from the list first."
    query = request.values.get("q", "").strip()
    user = viewer()
    suggested = matching_accounts(
        session,
        user,
        registration_code=prospect.registration_code,
        email=prospect.email,
        phone=prospect.phone,
    )
    found = search_accounts(session, user, query) if query else []
    return (
        render_template(
            "admin/prospects/allocate.html",
            p=prospect,
            q=query,
            suggested=suggested,
            found=[a for a in found if a not in suggested],
            error=error,
            type_labels=TYPE_LABELS,
            contact_count=len(contacts_of(session, Parent.prospect(prospect.id))),
            company=AccountType.COMPANY,
        ),
        400 if error else 200,
    )


@bp.post("/prospects/<int:prospect_id>/reopen", endpoint="reopen")
@roles_required(*SETTINGS_MANAGERS)
def prospect_reopen(prospect_id: int) -> Response:
    session = db_session()
    prospect = reopen_prospect(session, viewer(), prospect_id, zone=zone())
    session.commit()
    flash(f"“{prospect.name}” reopened: it can be edited again; its account and offers stay.", "success")
    return redirect(url_for("admin.prospects.detail", prospect_id=prospect.id))
