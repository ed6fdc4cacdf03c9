"""The account card: its fields, its contacts (read-only here; the shared
related-records panels take them over), the prospects that led to it
(traceability) and its offers with their status and total."""

from __future__ import annotations

from flask import render_template

from capture.admin.accounts import bp
from capture.admin.accounts.labels import ACCOUNT_LABELS, TYPE_LABELS
from capture.admin.auth import login_required, viewer
from capture.database import db_session
from crm_core.accounts.queries import prospects_of_account
from crm_core.accounts.visibility import get_visible_account
from crm_core.contacts.queries import contacts_of
from crm_core.offers.queries import offers_of_account
from crm_core.parents import Parent, ParentType


@bp.get("/accounts/<int:account_id>", endpoint="detail")
@login_required
def account_detail(account_id: int) -> str:
    session = db_session()
    user = viewer()
    account = get_visible_account(session, user, account_id)
    return render_template(
        "admin/accounts/detail.html",
        account=account,
        labels=ACCOUNT_LABELS,
        type_labels=TYPE_LABELS,
        contacts=contacts_of(session, Parent(ParentType.ACCOUNT, account.id)),
        prospects=prospects_of_account(session, user, account.id),
        offers=offers_of_account(session, user, account.id),
    )
