"""Who is signed in, and the decorator that keeps admin pages behind a login."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, redirect, request, session, url_for

from capture.database import db_session
from crm_core.models import User


def current_user() -> User | None:
    if "user" not in g:
        user_id = session.get("user_id")
        user = db_session().get(User, user_id) if user_id else None
        g.user = user if user is not None and user.active else None
    return g.user


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("admin.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an absolute or scheme-relative URL (open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.prospects")
