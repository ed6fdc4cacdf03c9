"""Forms and their embed code (read-only for now)."""

from __future__ import annotations

from flask import render_template

from capture.admin import bp
from capture.admin.auth import login_required
from capture.database import db_session
from crm_core.forms import list_forms


@bp.get("/forms")
@login_required
def forms() -> str:
    return render_template("admin/forms.html", forms=list_forms(db_session()))
