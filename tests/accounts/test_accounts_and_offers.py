"""Accounts and offers on their own: who sees them, deleting without orphans,
rounding per currency, the daily expiry of sent offers, and the lists'
filters and keyset pages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account
from crm_core.accounts.queries import list_accounts, parse_account_filter, search_accounts
from crm_core.accounts.services import create_account, delete_account
from crm_core.contacts.models import Contact
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.errors import NotFound, ValidationFailed
from crm_core.lists.models import OfferStatus, OfferStatusKind
from crm_core.notes.models import Note
from crm_core.notes.services import add_note
from crm_core.offers.models import Offer, OfferLine
from crm_core.offers.money import line_total, round_money
from crm_core.offers.queries import list_offers, parse_offer_filter
from crm_core.offers.services import add_line, create_offer, expire_offers, set_offer_status
from crm_core.parents import Parent, ParentType


def status_id(session: Session, kind: OfferStatusKind) -> int:
    return session.scalar(select(OfferStatus.id).where(OfferStatus.kind == kind))


def test_rounding_follows_the_currency() -> None:
    assert round_money(Decimal("10.005"), "RON") == Decimal("10.01")
    assert round_money(Decimal("10.5"), "JPY") == Decimal("11")
    assert round_money(Decimal("1.0005"), "KWD") == Decimal("1.001")
    assert line_total(Decimal(3), Decimal("0.1"), Decimal(0), "EUR") == Decimal("0.30")


def test_sales_see_only_their_accounts_and_offers(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        mine = create_account(session, staff["sales"], {"name": "Mine SRL"})
        theirs = create_account(session, staff["sales2"], {"name": "Theirs SRL"})
        create_offer(session, staff["sales2"], theirs.id, {"name": "Theirs", "currency": "EUR"})
        assert mine.owner_id == staff["sales"].id, "sales add accounts for themselves"
    with session_factory() as session:
        page = list_accounts(session, staff["sales"], parse_account_filter({}))
        assert [row[0].name for row in page.rows] == ["Mine SRL"]
        assert list_offers(session, staff["sales"], parse_offer_filter({})).rows == []
        assert len(list_offers(session, staff["admin"], parse_offer_filter({})).rows) == 1
        with pytest.raises(NotFound):
            add_contact(session, staff["sales"], Parent(ParentType.ACCOUNT, theirs.id), {"name": "X"})


def test_account_search_ignores_diacritics(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        create_account(
            session,
            staff["admin"],
            {"name": "Ștefan Țurcanu SRL", "registration_code": "RO99", "email": "office@st.ro"},
        )
    with session_factory() as session:
        for query in ("stefan", "turcanu srl", "ro99", "OFFICE@"):
            assert [a.name for a in search_accounts(session, staff["admin"], query)] == [
                "Ștefan Țurcanu SRL"
            ], query


def test_deleting_an_account_leaves_no_orphans(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        account = create_account(session, staff["admin"], {"name": "Gone SRL"})
        offer = create_offer(session, staff["admin"], account.id, {"name": "O", "currency": "EUR"})
        add_line(session, staff["admin"], offer.id, {"name": "Thing", "unit_price": "10"})
        add_contact(session, staff["admin"], Parent(ParentType.ACCOUNT, account.id), {"name": "C"})
        add_note(session, staff["admin"], Parent(ParentType.OFFER, offer.id), {"body": "on the offer"})
        add_note(session, staff["admin"], Parent(ParentType.ACCOUNT, account.id), {"body": "on the account"})
    with transaction(session_factory) as session:
        delete_account(session, staff["admin"], account.id)
    with session_factory() as session:
        for model in (Account, Offer, OfferLine, Contact, Note):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model.__tablename__


def test_the_offer_contact_must_be_one_of_the_accounts(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        a = create_account(session, staff["admin"], {"name": "A"})
        b = create_account(session, staff["admin"], {"name": "B"})
        stranger = add_contact(
            session, staff["admin"], Parent(ParentType.ACCOUNT, b.id), {"name": "Stranger"}
        )
        with pytest.raises(ValidationFailed) as caught:
            create_offer(
                session,
                staff["admin"],
                a.id,
                {"name": "O", "currency": "EUR", "contact_id": str(stranger.id)},
            )
        assert caught.value.fields == {"contact_id": ["Choose one of the account's contacts."]}


def test_sent_offers_past_their_date_expire_once(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    today = date(2030, 6, 1)
    with transaction(session_factory) as session:
        account = create_account(session, staff["admin"], {"name": "A"})
        sent, draft = status_id(session, OfferStatusKind.SENT), status_id(session, OfferStatusKind.DRAFT)
        offers = {}
        for name, expiry, status in [
            ("late", today - timedelta(days=1), sent),
            ("today", today, sent),
            ("draft", today - timedelta(days=9), draft),
        ]:
            offer = create_offer(
                session,
                staff["admin"],
                account.id,
                {"name": name, "currency": "EUR", "expiry_date": expiry.isoformat()},
            )
            set_offer_status(session, staff["admin"], offer.id, status)
            offers[name] = offer.id
    with transaction(session_factory) as session:
        assert expire_offers(session, today) == 1
        assert expire_offers(session, today) == 0
    with session_factory() as session:
        kinds = {name: session.get(Offer, oid).status.kind for name, oid in offers.items()}
        assert kinds == {
            "late": OfferStatusKind.EXPIRED,
            "today": OfferStatusKind.SENT,
            "draft": OfferStatusKind.DRAFT,
        }


def test_offer_list_filters_and_pages(session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        account = create_account(session, staff["admin"], {"name": "A"})
        for i in range(7):
            create_offer(
                session,
                staff["admin"],
                account.id,
                {"name": f"Offer {i}", "currency": "EUR" if i % 2 else "RON", "probability": str(i * 10)},
            )
    with session_factory() as session:
        flt = parse_offer_filter({"currency": "eur", "probability_min": "20"})
        assert sorted(row[0].name for row in list_offers(session, staff["admin"], flt).rows) == [
            "Offer 3",
            "Offer 5",
        ]
        by_name = parse_offer_filter({"sort": "name"})
        first = list_offers(session, staff["admin"], by_name, limit=3)
        second = list_offers(session, staff["admin"], by_name, limit=3, after=first.next_cursor)
        back = list_offers(session, staff["admin"], by_name, limit=3, before=second.prev_cursor)
        assert [r[0].name for r in first.rows + second.rows] == [f"Offer {i}" for i in range(6)]
        assert [r[0].name for r in back.rows] == [r[0].name for r in first.rows]
