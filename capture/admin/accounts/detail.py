"""The account card: its fields, its contacts, activities, tasks and notes
(the shared related-records panels, ``capture.admin.related``), the prospects
that led to it (traceability) and its offers with their status and total."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from capture.admin.accounts import bp
from capture.admin.accounts.labels import ACCOUNT_LABELS, TYPE_LABELS
from capture.admin.auth import login_required, viewer
from capture.admin.related_panels import related_context
from capture.database import db_session
from crm_core.accounts.queries import prospects_of_account
from crm_core.accounts.visibility import get_visible_account
from crm_core.offers.queries import offers_of_account
from crm_core.parents import Parent, ParentType


def render_account(account_id: int, *, status: int = 200, **related: Any) -> tuple[str, int]:
    """The card; ``related``: a related-records form that failed (``related_context``)."""
    session = db_session()
    user = viewer()
    account = get_visible_account(session, user, account_id)
    return (
        render_template(
            "admin/accounts/detail.html",
            account=account,
            p=account,
            labels=ACCOUNT_LABELS,
            type_labels=TYPE_LABELS,
            prospects=prospects_of_account(session, user, account.id),
            offers=offers_of_account(session, user, account.id),
            **related_context(Parent(ParentType.ACCOUNT, account.id), **related),
        ),
        status,
    )


@bp.get("/accounts/<int:account_id>", endpoint="detail")
@login_required
def account_detail(account_id: int) -> tuple[str, int]:
    """``?filter=`` and ``?after=`` page the timeline without JavaScript."""
    return render_account(
        account_id, filter_key=request.args.get("filter", "all"), after=request.args.get("after") or None
    )
