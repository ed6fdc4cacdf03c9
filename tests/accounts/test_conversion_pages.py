"""Convert and allocate from the prospect card, over HTTP: the pre-filled
page, a new account or a link to the one that already exists (never a silent
duplicate), a second click that creates nothing, plain-word errors that leave
nothing half-written, allocation by search ignoring diacritics, and an
admin's reopen."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from crm_core.accounts.models import Account
from crm_core.accounts.services import create_account
from crm_core.contacts.models import Contact
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.offers.models import Offer
from crm_core.parents import Parent, ParentType
from crm_core.prospects.models import Prospect
from tests.accounts.pages import count, text, token_of


@pytest.fixture
def qualified(session_factory, staff, add_prospect, list_ids) -> int:
    pid = add_prospect(
        name="[Web] Ana Popescu",
        company="Ștefan & Fiii SRL",
        registration_code="RO 123456",
        city="Iași",
        email="ana@stefan.ro",
        phone="+40 722 000 111",
        status_id=list_ids["Qualified"],
        owner_id=staff["sales"].id,
    )
    with transaction(session_factory) as session:
        for name, title in (("Ana Popescu", "CEO"), ("Ion Ionescu", "CFO")):
            add_contact(session, staff["sales"], Parent.prospect(pid), {"name": name, "job_title": title})
    return pid


def convert_form(client, pid: int) -> dict[str, str]:
    """What the convert page's form would post as it is shown (no JavaScript)."""
    from tests.admin.html_forms import read_form

    return read_form(text(client.get(f"/admin/prospects/{pid}/convert")), "convert").to_dict()


def test_the_page_is_prefilled_and_converting_creates_everything_once(as_user, qualified, db, staff) -> None:
    sales = as_user("sales")
    data = convert_form(sales, qualified)
    assert data["name"] == "Ștefan & Fiii SRL" and data["type"] == "company"
    assert data["registration_code"] == "RO 123456" and data["city"] == "Iași"
    assert data["owner_id"] == str(staff["sales"].id)
    assert data["offer_name"] == "Offer for Ștefan & Fiii SRL" and data["currency"] == "EUR"
    assert data["offer_contact"] == "new" and data["copy_contacts"] == "1"
    ion = db.scalar(select(Contact.id).where(Contact.name == "Ion Ionescu"))
    data.update(
        offer_contact=f"prospect:{ion}", offer_name="Website 2027", expiry_date="2030-01-31", city="Iași "
    )

    response = sales.post(f"/admin/prospects/{qualified}/convert", data=data)
    assert response.status_code == 302, text(response)
    account = db.scalars(select(Account)).one()
    assert response.headers["Location"].endswith(f"/admin/accounts/{account.id}")
    card = text(sales.get(response.headers["Location"]))
    assert "converted: a new account “Ștefan &amp; Fiii SRL” and the offer “Website 2027”" in card
    assert "Website 2027" in card and "Ion Ionescu" in card and "[Web] Ana Popescu" in card
    offer = db.scalars(select(Offer)).one()
    assert offer.contact.name == "Ion Ionescu" and offer.contact.parent_id == account.id
    prospect = db.get(Prospect, qualified)
    assert prospect.account_id == account.id and prospect.converted_at is not None

    # A second click (or a second person) creates nothing more, and says so.
    again = sales.post(f"/admin/prospects/{qualified}/convert", data=data)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/admin/prospects/{qualified}")
    assert "is already converted; nothing was created twice" in text(sales.get(again.headers["Location"]))
    assert (count(db, Account), count(db, Offer)) == (1, 1)

    # The card is read-only now: no Edit, no Convert; the account instead.
    card = text(sales.get(f"/admin/prospects/{qualified}"))
    assert f"/admin/prospects/{qualified}/edit" not in card and "/convert" not in card
    assert f'href="/admin/accounts/{account.id}"' in card and "Reopen" not in card
    assert sales.get(f"/admin/prospects/{qualified}/convert").status_code == 302


def test_a_duplicate_is_offered_and_linked_not_created(as_user, qualified, add_prospect, db, staff) -> None:
    sales = as_user("sales")
    sales.post(f"/admin/prospects/{qualified}/convert", data=convert_form(sales, qualified))
    first = db.scalars(select(Account)).one()
    second = add_prospect(
        name="Mihai", company="Stefan si Fiii", registration_code="ro123456", owner_id=staff["sales"].id
    )
    data = convert_form(sales, second)
    response = sales.post(f"/admin/prospects/{second}/convert", data=data)
    assert response.status_code == 409
    page = text(response)
    assert "This account may already exist" in page
    assert re.search(rf'name="account_id" value="{first.id}"[^>]*>Link to “Ștefan &amp; Fiii SRL”', page)
    assert 'name="create_anyway" value="1"' in page
    assert count(db, Account) == 1 and count(db, Offer) == 1

    response = sales.post(f"/admin/prospects/{second}/convert", data={**data, "account_id": str(first.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/admin/accounts/{first.id}"
    )
    assert "linked to the existing account" in text(sales.get(response.headers["Location"]))
    assert count(db, Account) == 1 and count(db, Offer) == 2
    assert db.get(Prospect, second).account_id == first.id


def test_create_anyway_makes_a_second_account(as_user, qualified, add_prospect, db, staff) -> None:
    sales = as_user("sales")
    sales.post(f"/admin/prospects/{qualified}/convert", data=convert_form(sales, qualified))
    second = add_prospect(
        name="Branch", company="Ștefan Iași", registration_code="RO123456", owner_id=staff["sales"].id
    )
    data = convert_form(sales, second)
    response = sales.post(f"/admin/prospects/{second}/convert", data={**data, "create_anyway": "1"})
    assert response.status_code == 302
    assert count(db, Account) == 2


def test_bad_input_converts_nothing_and_is_explained(as_user, qualified, db) -> None:
    sales = as_user("sales")
    data = {
        **convert_form(sales, qualified),
        "offer_name": "",
        "currency": "XYZ",
        "probability": "140",
        "email": "nope",
    }
    response = sales.post(f"/admin/prospects/{qualified}/convert", data=data)
    assert response.status_code == 400
    page = text(response)
    for message in (
        "Nothing was converted",
        "Use a currency code such as RON, EUR or USD.",
        "Use a percentage from 0 to 100.",
    ):
        assert message in page, message
    assert 'value="XYZ"' in page, "what was typed stays"
    assert (count(db, Account), count(db, Offer)) == (0, 0)
    assert db.get(Prospect, qualified).converted_at is None


def test_allocate_finds_accounts_ignoring_diacritics(as_user, qualified, session_factory, staff, db) -> None:
    with transaction(session_factory) as session:
        target = create_account(
            session, staff["sales"], {"name": "Țesătoria Ștefan SRL", "email": "office@tes.ro"}
        )
        create_account(session, staff["sales2"], {"name": "Ștefan Other SRL"})  # Sue's: not Sam's to see
        target_id = target.id
    sales = as_user("sales")
    page = text(sales.get(f"/admin/prospects/{qualified}/allocate?q=tesatoria+stefan"))
    assert "Țesătoria Ștefan SRL" in page and "Other" not in page
    assert "Ștefan Other" not in text(sales.get(f"/admin/prospects/{qualified}/allocate?q=stefan"))
    assert "Țesătoria" in text(sales.get(f"/admin/prospects/{qualified}/allocate?q=OFFICE@TES"))

    token = token_of(sales, f"/admin/prospects/{qualified}/allocate?q=stefan")
    refused = sales.post(f"/admin/prospects/{qualified}/allocate", data={"csrf_token": token})
    assert refused.status_code == 400 and "Choose an account from the list first." in text(refused)
    response = sales.post(
        f"/admin/prospects/{qualified}/allocate",
        data={"csrf_token": token, "account_id": str(target_id), "copy_contacts": "1"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/admin/accounts/{target_id}"
    )
    db.expire_all()
    assert db.get(Prospect, qualified).account_id == target_id
    names = db.scalars(
        select(Contact.name).where(Contact.parent_type == ParentType.ACCOUNT, Contact.parent_id == target_id)
    ).all()
    assert sorted(names) == ["Ana Popescu", "Ion Ionescu"]
    assert count(db, Offer) == 0
    again = sales.post(
        f"/admin/prospects/{qualified}/allocate", data={"csrf_token": token, "account_id": str(target_id)}
    )
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/admin/prospects/{qualified}")


def test_only_an_admin_reopens(as_user, qualified, db) -> None:
    sales = as_user("sales")
    sales.post(f"/admin/prospects/{qualified}/convert", data=convert_form(sales, qualified))
    token = token_of(sales, f"/admin/prospects/{qualified}")
    assert sales.post(f"/admin/prospects/{qualified}/reopen", data={"csrf_token": token}).status_code == 403
    admin = as_user("admin")
    card = text(admin.get(f"/admin/prospects/{qualified}"))
    assert "Reopen" in card and f"/admin/prospects/{qualified}/edit" not in card
    response = admin.post(
        f"/admin/prospects/{qualified}/reopen",
        data={"csrf_token": token_of(admin, f"/admin/prospects/{qualified}")},
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Prospect, qualified).converted_at is None
    card = text(admin.get(f"/admin/prospects/{qualified}"))
    assert "reopened" in card and f"/admin/prospects/{qualified}/edit" in card and "/convert" in card
    assert count(db, Account) == 1, "its account stays"


def test_two_people_pressing_convert_at_once_make_one_account_and_one_offer(as_user, qualified, db) -> None:
    """Four signed-in sessions post the same convert form at the same moment:
    one converts, the others are told it is already converted."""
    import threading

    clients = [as_user("sales") for _ in range(2)] + [as_user("admin") for _ in range(2)]
    forms = [convert_form(client, qualified) for client in clients]
    barrier = threading.Barrier(len(clients))
    answers: list[str] = []

    def press(client, data) -> None:  # type: ignore[no-untyped-def]
        barrier.wait()
        answers.append(client.post(f"/admin/prospects/{qualified}/convert", data=data).headers["Location"])

    threads = [threading.Thread(target=press, args=pair) for pair in zip(clients, forms, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    account = db.scalars(select(Account)).one()
    assert sorted(answers) == sorted(
        [f"/admin/accounts/{account.id}"] + [f"/admin/prospects/{qualified}"] * 3
    ), answers
    assert count(db, Offer) == 1
