"""The accounts pages: add, edit, the card (contacts, the prospects that led
to it, offers with status and total), the list with its filters in the URL
and keyset pages, delete with a warning about its offers — and who sees what."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from crm_core.accounts.models import Account
from crm_core.accounts.services import create_account
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.offers.models import Offer
from crm_core.offers.services import add_line, create_offer
from crm_core.parents import Parent, ParentType
from tests.accounts.pages import count, post, text


def test_add_edit_and_see_the_card(as_user, db, staff) -> None:
    admin = as_user("admin")
    response = post(
        admin,
        "/admin/accounts/new",
        {
            "type": "company",
            "name": "Țesătoria Ștefan SRL",
            "registration_code": "RO 998877",
            "city": "Iași",
            "country": "România",
            "website": "tesatoria.ro",
            "owner_id": str(staff["sales"].id),
        },
    )
    assert response.status_code == 302, text(response)
    account = db.scalars(select(Account)).one()
    assert response.headers["Location"].endswith(f"/admin/accounts/{account.id}")
    assert (account.name, account.website, account.owner_id) == (
        "Țesătoria Ștefan SRL",
        "https://tesatoria.ro",
        staff["sales"].id,
    )
    page = text(admin.get(f"/admin/accounts/{account.id}"))
    assert "Țesătoria Ștefan SRL" in page and "RO 998877" in page and "Sam Sales" in page
    assert "No offers yet." in page and "added by hand" in page

    response = post(admin, f"/admin/accounts/{account.id}/edit", {"name": "Țesătoria SA", "type": "company"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Account, account.id).name == "Țesătoria SA"


def test_bad_input_is_explained_and_nothing_is_written(as_user, db) -> None:
    admin = as_user("admin")
    response = post(admin, "/admin/accounts/new", {"name": "", "email": "not-an-email", "type": "robot"})
    assert response.status_code == 400
    page = text(response)
    assert "Fill this in." in page and "Enter a valid email address." in page
    assert "Choose one of: company, person." in page
    assert 'value="not-an-email"' in page, "what was typed is shown again"
    assert count(db, Account) == 0


def test_the_card_lists_contacts_prospects_and_offers(as_user, session_factory, staff, add_prospect) -> None:
    with transaction(session_factory) as session:
        account = create_account(session, staff["admin"], {"name": "Acme SRL"})
        add_contact(session, staff["admin"], Parent(ParentType.ACCOUNT, account.id), {"name": "Dana Pop"})
        offer = create_offer(session, staff["admin"], account.id, {"name": "Website", "currency": "RON"})
        add_line(session, staff["admin"], offer.id, {"name": "Design", "quantity": "3", "unit_price": "0.10"})
        account_id = account.id
    pid = add_prospect(name="[Web] Lead of Acme", account_id=account_id, converted_at=datetime.now(UTC))
    page = text(as_user("admin").get(f"/admin/accounts/{account_id}"))
    assert "Dana Pop" in page
    assert f'href="/admin/prospects/{pid}"' in page and "[Web] Lead of Acme" in page
    assert "Website" in page and "RON" in page and "0.30" in page and "Draft" in page


def test_list_filters_live_in_the_url_and_pages_follow_cursors(as_user, session_factory, staff) -> None:
    with transaction(session_factory) as session:
        for i in range(55):
            account = create_account(
                session,
                staff["admin"],
                {
                    "name": f"Firma {i:02d}",
                    "type": "person" if i % 5 == 0 else "company",
                    "country": "Lietuva" if i % 2 else "România",
                    "county": "Cluj" if i % 3 == 0 else "Ilfov",
                },
            )
            account.created_at = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
        create_account(session, staff["admin"], {"name": "Ștefan Țurcanu", "type": "person"})
    admin = as_user("admin")
    first = text(admin.get("/admin/accounts?sort=name"))
    assert first.count('<td class="name"><a href="/admin/accounts/') == 50
    assert "Firma 00" in first and "Firma 49" in first and "Firma 50" not in first
    next_link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert "sort=name" in next_link and "after=" in next_link
    second = text(admin.get(next_link))
    assert "Firma 50" in second and "Ștefan Țurcanu" in second and "Firma 00" not in second
    assert 'rel="prev"' in second

    filtered = text(admin.get("/admin/accounts?type=person&country=rom%C3%A2nia&county=cluj&sort=name"))
    names = [f"Firma {i:02d}" for i in range(55) if i % 5 == 0 and i % 2 == 0 and i % 3 == 0]
    assert names == ["Firma 00", "Firma 30"]
    assert all(name in filtered for name in names) and "Firma 10" not in filtered
    assert 'value="Cluj"' not in filtered and 'value="cluj"' in filtered, "the filter shows what was asked"
    assert "Ștefan Țurcanu" in text(admin.get("/admin/accounts?q=stefan+turcanu"))
    ignored = text(admin.get("/admin/accounts?type=robot"))
    assert "Ignored “type”" in ignored and "Firma 54" in ignored, "the rest of the filter still applies"


def test_delete_warns_about_offers_and_takes_them(as_user, session_factory, staff, db, add_prospect) -> None:
    with transaction(session_factory) as session:
        account = create_account(session, staff["admin"], {"name": "Gone SRL"})
        for name in ("One", "Two"):
            create_offer(session, staff["admin"], account.id, {"name": name, "currency": "EUR"})
        account_id = account.id
    pid = add_prospect(name="Led there", account_id=account_id, converted_at=datetime.now(UTC))
    admin = as_user("admin")
    page = text(admin.get(f"/admin/accounts/{account_id}/delete"))
    assert "Its 2 offers are deleted with it" in page and "Delete account and its offers" in page
    assert "The 1 prospect that led to it stays" in page
    response = post(admin, f"/admin/accounts/{account_id}/delete", {})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/accounts")
    assert count(db, Account) == 0 and count(db, Offer) == 0
    from crm_core.prospects.models import Prospect

    assert db.get(Prospect, pid).account_id is None


@pytest.fixture
def two_owners(session_factory, staff) -> dict[str, int]:
    with transaction(session_factory) as session:
        mine = create_account(session, staff["sales"], {"name": "Sam's client"})
        theirs = create_account(session, staff["sales2"], {"name": "Sue's client"})
        mine_offer = create_offer(
            session, staff["sales"], mine.id, {"name": "Sam's offer", "currency": "EUR"}
        )
        their_offer = create_offer(
            session, staff["sales2"], theirs.id, {"name": "Sue's offer", "currency": "EUR"}
        )
        return {
            "mine": mine.id,
            "theirs": theirs.id,
            "mine_offer": mine_offer.id,
            "their_offer": their_offer.id,
        }


@pytest.mark.parametrize(
    ("who", "expected"),
    [("admin", {"Sam", "Sue"}), ("marketing", {"Sam", "Sue"}), ("sales", {"Sam"}), ("sales2", {"Sue"})],
)
def test_sales_see_only_their_accounts_and_offers(as_user, two_owners, who: str, expected: set[str]) -> None:
    client = as_user(who)
    accounts = text(client.get("/admin/accounts"))
    offers = text(client.get("/admin/offers"))
    for person in ("Sam", "Sue"):
        assert (f"{person}&#39;s client" in accounts) == (person in expected)
        assert (f"{person}&#39;s offer" in offers) == (person in expected)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/accounts/{theirs}",
        "/admin/accounts/{theirs}/edit",
        "/admin/accounts/{theirs}/delete",
        "/admin/accounts/{theirs}/offers/new",
        "/admin/offers/{their_offer}",
        "/admin/offers/{their_offer}/edit",
        "/admin/offers/{their_offer}/delete",
        "/admin/offers/{their_offer}/print",
    ],
)
def test_someone_elses_account_or_offer_is_not_found_for_sales(as_user, two_owners, path: str) -> None:
    client = as_user("sales")
    assert client.get(path.format(**two_owners)).status_code == 404
    mine = path.replace("theirs", "mine").replace("their_offer", "mine_offer")
    assert client.get(mine.format(**two_owners)).status_code == 200


def test_sales_cannot_change_someone_elses_records(as_user, two_owners, db) -> None:
    client = as_user("sales")
    token_page = f"/admin/accounts/{two_owners['mine']}"
    for path in (
        f"/admin/accounts/{two_owners['theirs']}/delete",
        f"/admin/accounts/{two_owners['theirs']}/edit",
        f"/admin/offers/{two_owners['their_offer']}/delete",
        f"/admin/offers/{two_owners['their_offer']}/lines",
    ):
        response = post(client, path, {"name": "Hijacked", "type": "company"}, token_from=token_page)
        assert response.status_code == 404, path
    assert count(db, Account) == 2 and count(db, Offer) == 2
    assert db.get(Account, two_owners["theirs"]).name == "Sue's client"


def test_sales_add_accounts_for_themselves(as_user, db, staff) -> None:
    client = as_user("sales")
    assert f'<option value="{staff["sales"].id}" selected' in text(client.get("/admin/accounts/new"))
    response = post(client, "/admin/accounts/new", {"name": "Mine", "type": "person", "owner_id": ""})
    assert response.status_code == 302
    assert db.scalars(select(Account)).one().owner_id == staff["sales"].id


def test_saved_filters_belong_to_their_list(as_user, db, staff) -> None:
    from crm_core.prospects.models import SavedFilter

    sales = as_user("sales")
    page = text(sales.get("/admin/accounts?type=person&country=Lietuva"))
    assert 'name="query" value="type=person&amp;country=Lietuva"' in page
    response = post(
        sales,
        "/admin/accounts/saved-filters",
        {"name": "Persons in Lithuania", "query": "type=person&country=Lietuva&sort=bogus&after=xyz"},
        token_from="/admin/accounts",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/accounts?type=person&country=Lietuva")
    post(
        sales, "/admin/offers/saved-filters", {"name": "Sure", "query": "probability_min=80"}, "/admin/offers"
    )
    post(
        sales,
        "/admin/offers/saved-filters",
        {"name": "Persons in Lithuania", "query": "currency=EUR"},
        "/admin/offers",
    )
    rows = {(f.list_name, f.name, f.query) for f in db.scalars(select(SavedFilter))}
    assert rows == {
        ("accounts", "Persons in Lithuania", "type=person&country=Lietuva"),
        ("offers", "Sure", "probability_min=80"),
        ("offers", "Persons in Lithuania", "currency=EUR"),
    }
    accounts_page = text(sales.get("/admin/accounts"))
    assert (
        'href="/admin/accounts?type=person&amp;country=Lietuva" class="chip">Persons in Lithuania'
        in accounts_page
    )
    assert "Sure" not in accounts_page
    assert "Sure" in text(sales.get("/admin/offers"))
    assert "Persons in Lithuania" not in text(sales.get("/admin/")), "not among the prospects' filters"
    assert "Persons in Lithuania" not in text(as_user("sales2").get("/admin/accounts")), "each user's own"

    saved = db.scalar(select(SavedFilter.id).where(SavedFilter.list_name == "accounts"))
    wrong_list = post(sales, f"/admin/offers/saved-filters/{saved}/delete", {}, "/admin/offers")
    assert wrong_list.status_code == 404
    assert (
        post(sales, f"/admin/accounts/saved-filters/{saved}/delete", {}, "/admin/accounts").status_code == 302
    )
    assert count(db, SavedFilter) == 2
