"""Changing accounts: create, edit, delete (with its offers and every record
hanging off either)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account
from crm_core.accounts.schemas import AccountSchema, clean
from crm_core.accounts.visibility import get_visible_account
from crm_core.errors import ValidationFailed
from crm_core.offers.models import Offer
from crm_core.parents import ParentType
from crm_core.related import delete_related
from crm_core.text.fields import flatten_errors
from crm_core.text.search import search_text
from crm_core.users.models import Role, User

_schema = AccountSchema()


def load_account(session: Session, editor: User, data: Mapping[str, Any]) -> dict[str, Any]:
    try:
        values: dict[str, Any] = clean(_schema.load(dict(data)))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    owner_id = values["owner_id"]
    if owner_id is not None:
        owner = session.get(User, owner_id)
        if owner is None or not owner.active:
            raise ValidationFailed({"owner_id": ["Choose an active user."]})
    elif editor.role == Role.SALES:
        values["owner_id"] = editor.id  # sales add accounts for themselves
    return values


def _search_text(account: Account) -> str:
    return search_text(
        {
            "email": account.email,
            "name": account.name,
            "company": account.reference,
            "phone": account.phone,
            "registration_code": account.registration_code,
        }
    )


def create_account(session: Session, editor: User, data: Mapping[str, Any]) -> Account:
    account = Account(**load_account(session, editor, data))
    account.search_text = _search_text(account)
    session.add(account)
    session.flush()
    return account


def update_account(session: Session, editor: User, account_id: int, data: Mapping[str, Any]) -> Account:
    account = get_visible_account(session, editor, account_id)
    for name, value in load_account(session, editor, data).items():
        setattr(account, name, value)
    account.search_text = _search_text(account)
    session.flush()
    return account


def delete_account(session: Session, editor: User, account_id: int) -> Account:
    """The account, its offers, and the contacts, activities, tasks and notes of
    both; the prospects that led to it stay, unlinked."""
    account = get_visible_account(session, editor, account_id)
    offer_ids = list(session.scalars(select(Offer.id).where(Offer.account_id == account.id)))
    delete_related(session, ParentType.OFFER, offer_ids)
    delete_related(session, ParentType.ACCOUNT, [account.id])
    session.delete(account)  # offers and their lines go by foreign key
    session.flush()
    return account
