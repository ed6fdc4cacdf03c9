"""Log in and log out."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, session, url_for

from capture.admin import bp
from capture.admin.auth import current_user, safe_next
from capture.database import db_session
from crm_core.users import authenticate


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
