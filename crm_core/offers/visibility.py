"""Who may see an offer: sales see the offers they own and the offers of the
accounts they own."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account
from crm_core.errors import NotFound
from crm_core.offers.models import Offer
from crm_core.permissions import can_see_all_prospects
from crm_core.users.models import User


def offer_clauses(viewer: User) -> list[ColumnElement[bool]]:
    if can_see_all_prospects(viewer):
        return []
    own_accounts = select(Account.id).where(Account.owner_id == viewer.id)
    return [or_(Offer.owner_id == viewer.id, Offer.account_id.in_(own_accounts))]


def get_visible_offer(session: Session, viewer: User, offer_id: int) -> Offer:
    offer = session.scalar(select(Offer).where(Offer.id == offer_id, *offer_clauses(viewer)))
    if offer is None:
        raise NotFound("No such offer.")
    return offer
