"""API tokens, under the user menu: every user makes and revokes their own.
A new token is rendered once in the answer to the create (never flashed: a
flash would carry it in the cookie), and only its digest is stored."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from capture.admin.auth import login_required, viewer
from capture.admin.tokens import bp
from capture.database import db_session
from crm_core.api_tokens.queries import tokens_of
from crm_core.api_tokens.schemas import DEFAULT_EXPIRY_DAYS, EXPIRY_CHOICES, SCOPE_CHOICES
from crm_core.api_tokens.services import create_token, revoke_token
from crm_core.db import utcnow
from crm_core.errors import DomainError, ValidationFailed


def _page(
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, str] | None = None,
    issued: dict[str, str] | None = None,
) -> tuple[str, int]:
    page = render_template(
        "admin/tokens/list.html",
        tokens=tokens_of(db_session(), viewer()),
        now=utcnow(),
        errors=errors or {},
        values=values or {"scopes": "read", "expires_in_days": str(DEFAULT_EXPIRY_DAYS)},
        issued=issued,
        scope_choices=SCOPE_CHOICES,
        expiry_choices=EXPIRY_CHOICES,
        docs_url=url_for("api_docs.docs"),
    )
    return page, status


@bp.get("/account/tokens", endpoint="index")
@login_required
def tokens() -> tuple[str, int]:
    return _page()


@bp.post("/account/tokens", endpoint="create")
@login_required
def create() -> tuple[str, int]:
    values = {key: request.form.get(key, "") for key in ("name", "scopes", "expires_in_days")}
    db = db_session()
    try:
        issued = create_token(db, viewer(), values)
    except ValidationFailed as exc:
        db.rollback()
        return _page(400, exc.fields, values)
    except DomainError as exc:
        db.rollback()
        return _page(409, {"name": [str(exc)]}, values)
    db.commit()
    return _page(201, issued={"name": issued.token.name, "secret": issued.secret})


@bp.post("/account/tokens/<int:token_id>/revoke", endpoint="revoke")
@login_required
def revoke(token_id: int) -> Response:
    db = db_session()
    token = revoke_token(db, viewer(), token_id)
    db.commit()
    flash(f"The token “{token.name}” is revoked: calls with it are refused from now on.", "success")
    return redirect(url_for("admin.tokens.index"))
