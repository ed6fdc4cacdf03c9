"""Who is signed in, and the decorators that keep admin pages behind a login
and a role. Sessions live server-side (``crm_core.users.sessions``): the cookie only
carries a random token, so logging out or changing a password ends them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, flash, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from capture.database import db_session
from crm_core.permissions import ALL_ROLES
from crm_core.users.models import Role, User
from crm_core.users.sessions import resume_session, start_session

SESSION_KEY = "sid"


def current_user() -> User | None:
    if "user" not in g:
        g.user = _load_user()
    return g.user


def _load_user() -> User | None:
    token = session.get(SESSION_KEY)
    if not token:
        return None
    db = db_session()
    resumed = resume_session(db, token)
    db.commit()
    if resumed.user is None:
        session.pop(SESSION_KEY, None)
        if resumed.expired:
            flash("Your session expired. Please log in again.", "info")
    return resumed.user


def viewer() -> User:
    """The signed-in user, in views already behind ``login_required`` /
    ``roles_required`` (for the type checker: never ``None`` there)."""
    user = current_user()
    if user is None:
        abort(401)
    return user


def sign_in(user: User) -> None:
    """Start a fresh server-side session and a fresh cookie (no fixation: the
    old cookie contents, including the CSRF token, are dropped)."""
    db = db_session()
    token = start_session(
        db, user, ip=request.remote_addr or "", user_agent=request.headers.get("User-Agent", "")
    )
    db.commit()
    session.clear()
    session[SESSION_KEY] = token
    session.permanent = True
    g.user = user


def login_redirect() -> Response:
    return redirect(url_for("admin.account.login", next=request.full_path.rstrip("?")))


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Anonymous visitors go to the login page; signed-in users without one of
    ``roles`` get 403. The allowed roles are kept on the view for the tests
    that walk every route."""
    allowed = frozenset(roles)

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                return login_redirect()
            if user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorator


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Any signed-in user, whatever the role."""
    return roles_required(*ALL_ROLES)(view)


def safe_next(target: str | None, default: str = "admin.prospects.index") -> str:
    """Only same-site paths: never an absolute or scheme-relative URL (open
    redirect); otherwise the ``default`` endpoint."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for(default)
