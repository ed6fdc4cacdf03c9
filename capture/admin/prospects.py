"""The prospects list (minimal: newest first)."""

from __future__ import annotations

from flask import render_template

from capture.admin import bp
from capture.admin.auth import login_required
from capture.database import db_session
from crm_core.prospects import count_prospects, list_prospects


@bp.get("/")
@login_required
def prospects() -> str:
    session_ = db_session()
    return render_template(
        "admin/prospects.html", prospects=list_prospects(session_, limit=200), total=count_prospects(session_)
    )
