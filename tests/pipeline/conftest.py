"""Board, reports and home fixtures: the prospects workspace's staff, clients
and prospect factory, plus offers on accounts and the CSRF token of a page."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.accounts.models import Account
from crm_core.db import transaction
from crm_core.lists.models import OfferStatus
from crm_core.offers.models import Offer
from tests.prospects.conftest import (  # noqa: F401 (fixtures)
    _fast_password_hashes,
    add_prospect,
    as_user,
    list_ids,
    staff,
)

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def page_token(client: Any, path: str = "/admin/board") -> str:
    """The CSRF token of the forms on ``path``."""
    found = _CSRF.search(client.get(path).get_data(as_text=True))
    assert found, f"{path} has a CSRF token"
    return found[1]


@pytest.fixture
def offer_status_ids(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        return {s.name: s.id for s in session.scalars(select(OfferStatus))}


OfferFactory = Callable[..., int]


@pytest.fixture
def add_offer(session_factory: sessionmaker[Session], offer_status_ids: dict[str, int]) -> OfferFactory:
    """An offer (on a new account unless one is given), written directly; returns its id."""

    def make(
        total: str = "100.00",
        currency: str = "EUR",
        probability: int = 50,
        status: str = "Draft",
        **values: Any,
    ) -> int:
        with transaction(session_factory) as session:
            account_id = values.pop("account_id", None)
            if account_id is None:
                account = Account(
                    name=values.pop("account_name", "Acme SRL"), owner_id=values.get("owner_id")
                )
                session.add(account)
                session.flush()
                account_id = account.id
            offer = Offer(
                account_id=account_id,
                name=values.pop("name", "Offer"),
                currency=currency,
                probability=probability,
                total=Decimal(total),
                status_id=offer_status_ids[status],
                **values,
            )
            session.add(offer)
            session.flush()
            return offer.id

    return make
