"""Log in (throttled), log out, and change one's own password."""

from __future__ import annotations

from contextlib import suppress

from flask import flash, redirect, render_template, request, session, url_for
from redis.exceptions import RedisError
from werkzeug.wrappers import Response

from capture import redis_client
from capture.admin.account import bp
from capture.admin.account.login_throttle import LoginThrottle
from capture.admin.auth import SESSION_KEY, current_user, login_required, safe_next, sign_in
from capture.database import db_session
from crm_core.errors import ValidationFailed
from crm_core.users.schemas import MIN_PASSWORD_LENGTH
from crm_core.users.services import authenticate, change_own_password
from crm_core.users.sessions import end_session

# Where signing in lands without a ``next``: the home page (``/admin/`` stays the prospects list).
HOME = "admin.home.index"


def _login_page(status: int = 200, email: str = "") -> tuple[str, int]:
    return render_template("admin/account/login.html", email=email), status


@bp.route("/login", methods=["GET", "POST"], endpoint="login")
def login() -> Response | tuple[str, int]:
    if request.method == "GET":
        if current_user() is not None:
            return redirect(safe_next(request.args.get("next"), HOME))
        return _login_page()
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    ip = request.remote_addr or "unknown"
    throttle = LoginThrottle(redis_client.redis())
    try:
        wait = throttle.wait_minutes(email, ip)
    except RedisError:
        flash("Signing in is unavailable for a moment. Please try again shortly.", "error")
        return _login_page(503, email)
    if wait:
        flash(f"Too many attempts, try again in {wait} minute{'s' if wait != 1 else ''}.", "error")
        return _login_page(429, email)
    db = db_session()
    user = authenticate(db, email, password)
    if user is None:
        with suppress(RedisError):  # the refusal stands; only the counting is lost
            throttle.record_failure(email, ip)
        flash("Wrong email or password.", "error")
        return _login_page(401, email)
    db.commit()  # a rehashed password
    with suppress(RedisError):
        throttle.record_success(email)
    sign_in(user)
    return redirect(safe_next(request.args.get("next"), HOME))


@bp.post("/logout", endpoint="logout")
def logout() -> Response:
    token = session.get(SESSION_KEY)
    if token:
        db = db_session()
        end_session(db, token)
        db.commit()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("admin.account.login"))


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password() -> Response | tuple[str, int]:
    user = current_user()
    assert user is not None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        db = db_session()
        try:
            change_own_password(
                db,
                user.id,
                request.form.get("current_password", ""),
                request.form.get("new_password", ""),
                request.form.get("repeat_password", ""),
            )
        except ValidationFailed as exc:
            db.rollback()
            errors = exc.fields
        else:
            db.commit()
            sign_in(user)
            flash("Password changed. You were signed out everywhere else.", "success")
            return redirect(url_for("admin.prospects.index"))
    status = 400 if errors else 200
    page = render_template("admin/account/password.html", errors=errors, min_length=MIN_PASSWORD_LENGTH)
    return page, status
