"""Who may see an account: like prospects, sales see only the accounts they own."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account
from crm_core.errors import NotFound
from crm_core.permissions import can_see_all_prospects
from crm_core.users.models import User


def account_clauses(viewer: User) -> list[ColumnElement[bool]]:
    return [] if can_see_all_prospects(viewer) else [Account.owner_id == viewer.id]


def get_visible_account(session: Session, viewer: User, account_id: int) -> Account:
    account = session.scalar(select(Account).where(Account.id == account_id, *account_clauses(viewer)))
    if account is None:
        raise NotFound("No such account.")
    return account
