"""Minimal admin: sign in, see prospects arrive, see forms and their embed code."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for

from capture.admin.auth import current_user, login_required, safe_next
from capture.database import db_session
from crm_core.forms import list_forms
from crm_core.prospects import count_prospects, list_prospects
from crm_core.users import authenticate

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.app_context_processor
def inject_user() -> dict[str, object]:
    return {"current_user": current_user}


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    if request.method == "POST":
        session_ = db_session()
        user = authenticate(session_, request.form.get("email", ""), request.form.get("password", ""))
        if user is not None:
            session_.commit()
            session.clear()
            session["user_id"] = user.id
            return redirect(safe_next(request.args.get("next")))
        flash("Wrong email or password.", "error")
        return Response(render_template("admin/login.html"), status=401)
    return render_template("admin/login.html")


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/")
@login_required
def prospects() -> str:
    session_ = db_session()
    return render_template(
        "admin/prospects.html", prospects=list_prospects(session_, limit=200), total=count_prospects(session_)
    )


@bp.get("/forms")
@login_required
def forms() -> str:
    return render_template("admin/forms.html", forms=list_forms(db_session()))
