"""Convert a qualified prospect into an account and an offer in one
transaction — or link it to an account that already exists — exactly once,
however often or by how many people it is clicked; and keep the rules: a
converted prospect has an account, is read-only until an admin reopens it,
and leaves the default list."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.accounts.models import Account
from crm_core.contacts.models import Contact
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.errors import AlreadyConverted, DomainError, PossibleDuplicate, ValidationFailed
from crm_core.offers.models import Offer
from crm_core.parents import Parent, ParentType
from crm_core.prospects.conversion import (
    allocate_prospect,
    conversion_defaults,
    convert_prospect,
    reopen_prospect,
)
from crm_core.prospects.filters import parse_filter
from crm_core.prospects.models import Prospect
from crm_core.prospects.queries import list_page
from crm_core.prospects.services import bulk_update, update_prospect
from crm_core.prospects.status import change_status


def count(session_factory: sessionmaker[Session], model: Any) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def qualified(session_factory, staff, add_prospect, list_ids):  # type: ignore[no-untyped-def]
    pid = add_prospect(
        name="[Web] Ana Popescu",
        company="Ștefan & Fiii SRL",
        registration_code="RO 123456",
        trade_register_no="J40/1/2020",
        city="Iași",
        email="ana@stefan.ro",
        phone="+40 722 000 111",
        status_id=list_ids["Qualified"],
        owner_id=staff["sales"].id,
    )
    with transaction(session_factory) as session:
        add_contact(
            session, staff["sales"], Parent.prospect(pid), {"name": "Ana Popescu", "job_title": "CEO"}
        )
        add_contact(
            session, staff["sales"], Parent.prospect(pid), {"name": "Ion Ionescu", "job_title": "CFO"}
        )
    return pid


def form(session: Session, pid: int, **overrides: str) -> dict[str, str]:
    data = conversion_defaults(session.get(Prospect, pid), "RON")
    data.update(overrides)
    return data


def test_convert_creates_account_contacts_and_offer_and_locks_the_prospect(
    session_factory,
    staff,
    qualified,
    list_ids,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session:
        data = form(session, qualified, offer_name="Website 2027", expiry_date="2030-01-31", probability="70")
        assert data["name"] == "Ștefan & Fiii SRL" and data["type"] == "company"
        done = convert_prospect(session, staff["sales"], qualified, data)
        account_id, offer_id = done.account.id, done.offer.id
    with session_factory() as session:
        account = session.get(Account, account_id)
        assert (account.name, account.registration_code, account.city, account.owner_id) == (
            "Ștefan & Fiii SRL", "RO 123456", "Iași", staff["sales"].id,
        )  # fmt: skip
        contacts = session.scalars(
            select(Contact).where(Contact.parent_type == ParentType.ACCOUNT, Contact.parent_id == account_id)
        ).all()
        assert sorted(c.name for c in contacts) == ["Ana Popescu", "Ana Popescu", "Ion Ionescu"]
        offer = session.get(Offer, offer_id)
        assert (offer.name, offer.probability, offer.currency, offer.prospect_id) == (
            "Website 2027",
            70,
            "RON",
            qualified,
        )
        assert offer.contact is not None and offer.contact.parent_id == account_id
        prospect = session.get(Prospect, qualified)
        assert prospect.status.kind.value == "converted" and prospect.account_id == account_id
        assert prospect.converted_by_id == staff["sales"].id and prospect.converted_at is not None
    with transaction(session_factory) as session, pytest.raises(AlreadyConverted):
        update_prospect(session, staff["sales"], qualified, {"company": "Changed"})
    with transaction(session_factory) as session, pytest.raises(AlreadyConverted):
        convert_prospect(session, staff["sales"], qualified, data)
    assert (count(session_factory, Account), count(session_factory, Offer)) == (1, 1)


def test_a_second_prospect_of_the_same_company_is_offered_the_existing_account(
    session_factory,
    staff,
    qualified,
    add_prospect,
    list_ids,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session:
        first = convert_prospect(session, staff["sales"], qualified, form(session, qualified)).account.id
    second = add_prospect(
        name="Mihai", company="Stefan si Fiii", registration_code="ro123456", owner_id=staff["sales"].id
    )
    with transaction(session_factory) as session, pytest.raises(PossibleDuplicate) as caught:
        convert_prospect(session, staff["sales"], second, form(session, second))
    assert [a.id for a in caught.value.matches] == [first]
    with transaction(session_factory) as session:
        linked = convert_prospect(
            session, staff["sales"], second, form(session, second, account_id=str(first))
        )
        assert linked.linked and linked.account.id == first
    assert count(session_factory, Account) == 1 and count(session_factory, Offer) == 2
    with session_factory() as session:
        assert sorted(session.scalars(select(Prospect.id).where(Prospect.account_id == first))) == sorted(
            [qualified, second]
        )


def test_allocate_links_without_an_offer(session_factory, staff, qualified, add_prospect) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        account = convert_prospect(session, staff["admin"], qualified, form(session, qualified)).account
    other = add_prospect(name="Another lead", owner_id=staff["sales"].id)
    with transaction(session_factory) as session:
        add_contact(session, staff["admin"], Parent.prospect(other), {"name": "Dana"})
        allocate_prospect(session, staff["admin"], other, account.id, copy_contacts=True)
    with session_factory() as session:
        assert session.get(Prospect, other).account_id == account.id
        names = session.scalars(select(Contact.name).where(Contact.parent_type == ParentType.ACCOUNT)).all()
        assert "Dana" in names
    assert count(session_factory, Offer) == 1


def test_converted_statuses_are_reached_only_by_convert_or_allocate(
    session_factory,
    staff,
    add_prospect,
    list_ids,  # type: ignore[no-untyped-def]
) -> None:
    pid = add_prospect(owner_id=staff["sales"].id)
    converted = list_ids["Converted"]
    with transaction(session_factory) as session:
        for attempt in (
            lambda: update_prospect(session, staff["sales"], pid, {"status_id": str(converted)}),
            lambda: change_status(session, staff["sales"], pid, converted),
            lambda: bulk_update(session, staff["sales"], [pid], "status_id", converted),
        ):
            with pytest.raises(DomainError, match="Convert"):
                attempt()


def test_converted_prospects_leave_the_default_list_and_an_admin_reopens(
    session_factory,
    staff,
    qualified,
    list_ids,  # type: ignore[no-untyped-def]
) -> None:
    with transaction(session_factory) as session:
        convert_prospect(session, staff["sales"], qualified, form(session, qualified))
    with session_factory() as session:
        default, _ = parse_filter({})
        assert qualified not in [r.id for r in list_page(session, staff["admin"], default).rows]
        asked, _ = parse_filter({"status": [str(list_ids["Converted"])]})
        assert qualified in [r.id for r in list_page(session, staff["admin"], asked).rows]
    with transaction(session_factory) as session, pytest.raises(DomainError, match="admin"):
        reopen_prospect(session, staff["sales"], qualified)
    with transaction(session_factory) as session:
        reopen_prospect(session, staff["admin"], qualified)
        update_prospect(session, staff["sales"], qualified, {"company": "Editable again"})


def test_bad_offer_input_converts_nothing(session_factory, staff, qualified) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as caught, transaction(session_factory) as session:
        convert_prospect(
            session,
            staff["sales"],
            qualified,
            form(session, qualified, offer_name="", currency="XYZ", probability="140"),
        )
    assert set(caught.value.fields) == {"offer_name", "currency", "probability"}
    assert (
        count(session_factory, Account),
        count(session_factory, Offer),
        count(session_factory, Contact),
    ) == (0, 0, 2)


def test_two_people_converting_at_once_make_one_account_and_one_offer(
    session_factory, staff, qualified
) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL: a row lock; SQLite: its single write lock, taken first."""
    with session_factory() as session:
        data = form(session, qualified)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def convert() -> None:
        barrier.wait()
        try:
            with transaction(session_factory) as session:
                convert_prospect(session, staff["sales"], qualified, data)
            outcomes.append("converted")
        except AlreadyConverted:
            outcomes.append("already")

    threads = [threading.Thread(target=convert) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["already", "already", "already", "converted"]
    assert (count(session_factory, Account), count(session_factory, Offer)) == (1, 1)


def test_offer_totals_are_decimal_to_the_cent(session_factory, staff, qualified) -> None:  # type: ignore[no-untyped-def]
    from crm_core.offers.services import add_line, set_lines
    from crm_core.products.services import create_product

    with transaction(session_factory) as session:
        offer = convert_prospect(session, staff["admin"], qualified, form(session, qualified)).offer
        product = create_product(
            session,
            {"code": "WEB-1", "name": "Website", "price": "1999.99", "currency": "RON", "active": "1"},
        )
        add_line(
            session,
            staff["admin"],
            offer.id,
            {"product_id": str(product.id), "quantity": "3", "discount_pct": "12.5"},
        )
        add_line(
            session,
            staff["admin"],
            offer.id,
            {"name": "Hosting", "quantity": "12", "unit_price": "0.10", "unit": "month"},
        )
        # 3 x 1999.99 x 0.875 = 5249.97375 -> 5249.97 ; 12 x 0.10 = 1.20
        assert [line.line_total for line in offer.lines] == [Decimal("5249.97"), Decimal("1.20")]
        assert offer.total == Decimal("5251.17")
        product.price = Decimal("2500")  # a later price change does not alter the offer
        set_lines(session, staff["admin"], offer.id, [
            {"product_id": str(product.id), "name": "Website", "quantity": "1", "unit_price": "1999.99"},
        ])  # fmt: skip
        assert offer.total == Decimal("1999.99")
    with transaction(session_factory) as session, pytest.raises(ValidationFailed) as caught:
        set_lines(session, staff["admin"], offer.id, [{"name": "", "quantity": "0"}])
    assert set(caught.value.fields) == {"lines.0.name", "lines.0.quantity"}
