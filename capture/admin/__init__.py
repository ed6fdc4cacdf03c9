"""Admin pages for signed-in staff: one parent blueprint (``/admin``) and one
nested blueprint per feature, registered here explicitly so the list below is
the admin's table of contents. Templates live under ``templates/admin/<feature>/``.

Every admin route needs a signed-in user (checked here, before any view, so a
route added without a decorator is still protected); each view then declares
the roles that may use it with ``roles_required`` / ``login_required``.
Domain errors become pages in one place: ``capture.errors``."""

from flask import Blueprint, Flask, request

from capture.admin import (
    account,
    accounts,
    board,
    exports,
    forms,
    home,
    imports,
    notifications,
    offers,
    products,
    prospects,
    related,
    reports,
    settings,
    submissions,
    tasks,
    tokens,
    users,
    webhooks,
)
from capture.admin.auth import current_user, login_redirect
from capture.admin.rich_text import rich_text
from crm_core import permissions

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.add_app_template_filter(rich_text, "rich_text")
for feature in (
    account,
    home,
    prospects,
    board,
    tasks,
    accounts,
    offers,
    related,
    products,
    reports,
    imports,
    exports,
    forms,
    settings,
    users,
    submissions,
    webhooks,
    notifications,
    tokens,
):
    bp.register_blueprint(feature.bp)

# Endpoints an anonymous visitor may reach: the login page itself.
ANONYMOUS_ENDPOINTS = frozenset({"admin.account.login", "admin.account.logout"})


@bp.before_request
def _require_login() -> object:
    if request.endpoint not in ANONYMOUS_ENDPOINTS and current_user() is None:
        return login_redirect()
    return None


@bp.app_context_processor
def _template_helpers() -> dict[str, object]:
    return {
        "current_user": current_user,
        "can_manage_forms": lambda: permissions.can_manage_forms(current_user()),
        "can_manage_users": lambda: permissions.can_manage_users(current_user()),
        "can_manage_settings": lambda: permissions.can_manage_settings(current_user()),
        "can_manage_webhooks": lambda: permissions.can_manage_webhooks(current_user()),
        "can_import": lambda: permissions.can_import(current_user()),
    }


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


__all__ = ["bp", "init_app"]
