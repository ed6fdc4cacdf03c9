"""The prospect page: every field, capture metadata, history; add, edit and
delete by hand with the capture rules; the duplicate warning."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from crm_core.models import Prospect, ProspectChange
from crm_core.text.search import search_text
from tests.prospects.conftest import csrf_token

FULL = {
    "name": "Ștefan Țăran",
    "company": "Țara SRL",
    "trade_register_no": "J40/123/2020",
    "registration_code": "RO1234567",
    "address": "Str. Lungă 5",
    "postal_code": "010101",
    "city": "București",
    "county": "Ilfov",
    "country": "România",
    "phone": "+40 722 123 456",
    "email": "stefan@taran.ro",
    "description": "Wants a quote.\nCall after 14:00.",
}


def test_detail_shows_fields_and_capture_metadata(as_user, add_prospect, make_form, staff) -> None:
    form = make_form(name="Pricing form")
    pid = add_prospect(
        **FULL,
        owner_id=staff["sales"].id,
        form_id=form["form_id"],
        submission_id="sub-1",
        page_url="https://example.com/pricing?utm_source=news",
        referrer="https://google.com/",
        attribution={"utm_source": "news", "utm_campaign": "spring"},
        consent_given=True,
        consent_text="I agree to be contacted.",
        consent_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    page = as_user("sales").get(f"/admin/prospects/{pid}").get_data(as_text=True)
    for value in FULL.values():
        assert value.split("\n")[0] in page
    for value in (
        "Pricing form",
        "sub-1",
        "https://google.com/",
        "utm_campaign",
        "spring",
        "I agree to be contacted.",
    ):
        assert value in page
    for label in (
        "Trade register no.",
        "Postal code",
        "County",
        "Owner",
        "Source",
        "Priority",
        "Created",
        "Updated",
    ):
        assert label in page
    assert "Sam Sales" in page and "Captured by the form Pricing form" in page


def test_add_by_hand_then_edit_records_history(as_user, list_ids, staff, db) -> None:
    client = as_user("sales")
    token = csrf_token(client)
    form_page = client.get("/admin/prospects/new").get_data(as_text=True)
    assert f'<option value="{staff["sales"].id}" selected' in form_page  # sales add for themselves
    response = client.post(
        "/admin/prospects/new", data={**FULL, "csrf_token": token, "owner_id": staff["sales"].id}
    )
    assert response.status_code == 302
    prospect = db.scalars(select(Prospect)).one()
    assert (prospect.name, prospect.status_id, prospect.owner_id) == (
        "Ștefan Țăran",
        list_ids["New"],
        staff["sales"].id,
    )
    assert prospect.description == "Wants a quote.\nCall after 14:00."
    assert prospect.search_text == search_text(FULL)

    edited = {
        **FULL,
        "company": "Țara Nouă SRL",
        "status_id": list_ids["Qualified"],
        "owner_id": staff["sales"].id,
    }
    response = client.post(f"/admin/prospects/{prospect.id}/edit", data={**edited, "csrf_token": token})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Prospect, prospect.id).company == "Țara Nouă SRL"
    assert db.get(Prospect, prospect.id).search_text == search_text(edited)
    assert client.get("/admin/prospects.json?q=tara+noua").json["items"][0]["id"] == prospect.id

    history = db.scalars(select(ProspectChange).order_by(ProspectChange.id)).all()
    assert [h.action for h in history] == ["created", "updated"]
    assert history[1].changes == {"company": ["Țara SRL", "Țara Nouă SRL"], "status_id": ["New", "Qualified"]}
    assert history[1].user_id == staff["sales"].id
    page = client.get(f"/admin/prospects/{prospect.id}").get_data(as_text=True)
    assert "Sam Sales" in page and "<del>Țara SRL</del> → <ins>Țara Nouă SRL</ins>" in page


def test_saving_without_changes_adds_no_history(as_user, add_prospect, db) -> None:
    pid = add_prospect(**FULL)
    client = as_user("admin")
    values = client.get(f"/admin/prospects/{pid}/edit").get_data(as_text=True)
    assert 'value="Ștefan Țăran"' in values
    prospect = db.get(Prospect, pid)
    data = {
        f: getattr(prospect, f) or "" for f in (*FULL, "status_id", "priority_id", "source_id", "owner_id")
    }
    client.post(f"/admin/prospects/{pid}/edit", data={**data, "csrf_token": csrf_token(client)})
    assert db.scalars(select(ProspectChange)).all() == []


def test_validation_errors_use_the_capture_rules(as_user, add_prospect, list_ids, db) -> None:
    client = as_user("admin")
    token = csrf_token(client)
    bad = {
        "csrf_token": token,
        "name": "  ",
        "email": "not-an-email",
        "phone": "call me",
        "postal_code": "1" * 21,
        "city": "Line one\nline two",
        "status_id": "99999",
    }
    response = client.post("/admin/prospects/new", data=bad)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for message in (
        "This field is required.",
        "Enter a valid email address.",
        "Enter a valid phone number.",
        "At most 20 characters.",
        "Line breaks are not allowed here.",
        "Choose a value from the list.",
    ):
        assert message in page
    assert 'value="not-an-email"' in page  # what was typed is kept
    assert db.scalars(select(Prospect)).all() == []

    pid = add_prospect(name="Ana", email="ana@example.com")
    response = client.post(
        f"/admin/prospects/{pid}/edit", data={"csrf_token": token, "name": "Ana", "email": "x"}
    )
    assert response.status_code == 400
    db.expire_all()
    assert db.get(Prospect, pid).email == "ana@example.com"


def test_duplicate_warning_on_same_email_or_phone(as_user, add_prospect) -> None:
    first = add_prospect(name="Ana Pop", email="ana@example.com", phone="+40 700 000 001")
    same_email = add_prospect(name="Ana P.", email="ANA@example.com".lower(), phone="")
    same_phone = add_prospect(name="A. Pop", email="other@example.com", phone="+40 700 000 001")
    alone = add_prospect(name="Someone else", email="else@example.com", phone="+40 700 000 009")
    client = as_user("admin")
    page = client.get(f"/admin/prospects/{first}").get_data(as_text=True)
    assert "Possible duplicate" in page
    assert f"/admin/prospects/{same_email}" in page and f"/admin/prospects/{same_phone}" in page
    assert "Possible duplicate" not in client.get(f"/admin/prospects/{alone}").get_data(as_text=True)


def test_delete_with_confirmation(as_user, add_prospect, db) -> None:
    pid = add_prospect(name="Goodbye")
    client = as_user("admin")
    confirm = client.get(f"/admin/prospects/{pid}/delete").get_data(as_text=True)
    assert "Delete this prospect?" in confirm and "Goodbye" in confirm
    assert db.get(Prospect, pid) is not None
    response = client.post(f"/admin/prospects/{pid}/delete", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Prospect, pid) is None
    assert client.get(f"/admin/prospects/{pid}").status_code == 404
