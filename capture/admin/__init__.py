"""Admin pages for signed-in staff: one blueprint, a module per area.

Every admin route needs a signed-in user (checked here, before any view, so a
route added without a decorator is still protected); each view then declares
the roles that may use it with ``roles_required`` / ``login_required``."""

from typing import Any

from flask import Blueprint, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from crm_core import permissions
from crm_core.errors import NotFound

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Endpoints an anonymous visitor may reach: the login page itself.
ANONYMOUS_ENDPOINTS = frozenset({"admin.login", "admin.logout"})


@bp.before_request
def _require_login() -> Any:
    from capture.admin.auth import current_user, login_redirect

    if request.endpoint not in ANONYMOUS_ENDPOINTS and current_user() is None:
        return login_redirect()
    return None


@bp.app_context_processor
def _template_helpers() -> dict[str, object]:
    from capture.admin.auth import current_user

    return {
        "current_user": current_user,
        "can_manage_forms": lambda: permissions.can_manage_forms(current_user()),
        "can_manage_users": lambda: permissions.can_manage_users(current_user()),
        "can_manage_settings": lambda: permissions.can_manage_settings(current_user()),
    }


def _error_page(title: str, message: str, status: int) -> tuple[str, int]:
    return render_template("admin/error.html", title=title, message=message), status


@bp.errorhandler(403)
def _forbidden(_exc: HTTPException) -> tuple[str, int]:
    return _error_page("Not allowed", "Your role does not give access to this page.", 403)


@bp.errorhandler(CSRFError)
def _csrf_refused(_exc: CSRFError) -> tuple[str, int]:
    return _error_page(
        "Please try again",
        "The page was out of date (its CSRF security check failed), so nothing was changed. "
        "Go back, reload the page and try again.",
        400,
    )


@bp.errorhandler(404)
def _not_found(_exc: HTTPException) -> tuple[str, int]:
    return _error_page("Not found", "This page does not exist, or what it showed was deleted.", 404)


@bp.errorhandler(NotFound)
def _domain_not_found(exc: NotFound) -> tuple[str, int]:
    return _error_page("Not found", str(exc), 404)


# Each module registers its routes on ``bp`` when imported.
from capture.admin import (  # noqa: E402, F401 (imported for their routes)
    form_builder,
    forms,
    lists,
    prospect_detail,
    prospects,
    saved_filters,
    sign_in,
    submissions,
    users,
)

__all__ = ["bp"]
