"""Contacts, activities, tasks and notes on an account's card and an offer's
page over HTTP, on SQLite and PostgreSQL: each posted as the page's own form
posts it (CSRF token included), a refused form shown again (400) with what was
typed and the messages beside its fields, edits and deletes, the Tasks page
naming the account or offer, escaping, and 404 for a sales user on someone
else's account or offer — for every one of these routes."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.accounts.services import create_account
from crm_core.activities.models import Activity, ActivityKind, ActivityStatus, Direction
from crm_core.activities.services import log_activity
from crm_core.contacts.models import Contact
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.notes.models import Note
from crm_core.notes.services import add_note
from crm_core.offers.models import Offer
from crm_core.offers.services import create_offer
from crm_core.parents import Parent, ParentType
from crm_core.tasks.models import Task, TaskStatus
from crm_core.tasks.services import create_task
from tests.admin.html_forms import read_form, with_values

Client = Any


def page_of(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def submit(client: Client, path: str, form_id: str, **values: str | None) -> Any:
    """Post one of the page's forms as a browser would, with some inputs changed."""
    page = page_of(client, path)
    form = read_form(page, form_id)
    action = re.search(rf'<form method="post" action="([^"]+)" id="{form_id}"', page)
    assert action, form_id
    return client.post(action.group(1), data=with_values(form, **values))


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


@pytest.fixture
def records(session_factory: sessionmaker[Session], staff) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """An account owned by Sam (sales) with an offer."""
    with transaction(session_factory) as session:
        admin = session.merge(staff["admin"])
        account = create_account(session, admin, {"name": "Fabrica SRL", "owner_id": staff["sales"].id})
        offer = create_offer(session, admin, account.id, {"name": "Looms 2027", "currency": "EUR"})
        return {"account": account.id, "offer": offer.id}


def test_an_account_card_takes_contacts_calls_tasks_and_notes(  # type: ignore[no-untyped-def]
    as_user, records, session_factory
) -> None:
    sales = as_user("sales")
    card = f"/admin/accounts/{records['account']}"

    response = submit(sales, card, "contact-form", name="Ion Ionescu", job_title="Director", email="ion@x.ro")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{card}#contacts")
    page = page_of(sales, card)
    assert "Ion Ionescu" in page and "Primary" in page and 'href="mailto:ion@x.ro"' in page

    assert submit(sales, card, "log-call-form", outcome="Wants a quote").status_code == 302
    response = submit(sales, card, "activity-form", subject="Visit the plant", starts_at="2031-05-06T10:00")
    assert response.status_code == 302
    assert submit(sales, card, "task-form", name="Send the quote", due_date="2031-05-01").status_code == 302
    assert submit(sales, card, "note-form", body="Met at the fair").status_code == 302

    with session_factory() as session:
        on_account = Parent(ParentType.ACCOUNT, records["account"])
        contact = session.scalars(select(Contact)).one()
        call, visit = session.scalars(select(Activity).order_by(Activity.starts_at)).all()
        task = session.scalars(select(Task)).one()
        note = session.scalars(select(Note)).one()
        assert {contact.parent, call.parent, visit.parent, task.parent, note.parent} == {on_account}
        assert (call.kind, call.status, call.direction, call.outcome) == (
            ActivityKind.CALL,
            ActivityStatus.HELD,
            Direction.OUTBOUND,
            "Wants a quote",
        )
        assert [c.id for c in call.contacts] == [contact.id]  # the primary contact, ticked by default
        assert visit.status == ActivityStatus.PLANNED

    page = text(page_of(sales, card))
    assert "Visit the plant" in page and "Send the quote" in page and "1 open" in page
    assert "Met at the fair" in page and "Wants a quote" in page
    upcoming = page[
        page.index("Upcoming") : page.index("Nothing planned") if "Nothing planned" in page else None
    ]
    assert "Visit the plant" in upcoming

    # Complete and reopen from the card; the Tasks page names the account and links to it.
    token = read_form(page_of(sales, card), "task-form")["csrf_token"]
    response = sales.post(f"{card}/tasks/{task.id}/complete", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{card}#tasks")
    with session_factory() as session:
        assert session.get(Task, task.id).status == TaskStatus.DONE
    assert "Recently done (1)" in page_of(sales, card)
    assert sales.post(f"{card}/tasks/{task.id}/reopen", data={"csrf_token": token}).status_code == 302
    with session_factory() as session:
        assert session.get(Task, task.id).status == TaskStatus.OPEN
    tasks_page = page_of(sales, "/admin/tasks")
    assert f'<a href="{card}">Fabrica SRL</a>' in tasks_page and "Account" in tasks_page
    edit_page = page_of(sales, f"/admin/tasks/{task.id}")
    assert "On account" in edit_page and f'<a href="{card}">Fabrica SRL</a>' in edit_page

    # Edit and delete a contact, a call and the note.
    response = submit(sales, f"{card}/contacts/{contact.id}/edit", "contact-edit-form", phone="+40 700 1")
    assert response.status_code == 302
    response = submit(sales, f"{card}/activities/{call.id}/edit", "activity-edit-form", subject="First call")
    assert response.status_code == 302
    response = submit(
        sales, f"{card}/notes/{note.id}/edit", "note-edit-form", body="Met at the Bucharest fair"
    )
    assert response.status_code == 302
    with session_factory() as session:
        assert session.get(Contact, contact.id).phone == "+40 700 1"
        assert session.get(Activity, call.id).subject == "First call"
        assert session.get(Note, note.id).body == "Met at the Bucharest fair"

    for what, url in (
        ("Delete this note?", f"{card}/notes/{note.id}/delete"),
        ("Delete this call?", f"{card}/activities/{call.id}/delete"),
        ("Delete this contact?", f"{card}/contacts/{contact.id}/delete"),
    ):
        confirm = page_of(sales, url)
        assert what in confirm and "Fabrica SRL" in confirm
        token = re.search(r'name="csrf_token" value="([^"]+)"', confirm)
        assert token
        assert sales.post(url, data={"csrf_token": token[1]}).status_code == 302
    with session_factory() as session:
        assert session.scalars(select(Note)).all() == []
        assert session.get(Activity, call.id) is None
        assert session.scalars(select(Contact)).all() == []


def test_an_offer_page_takes_calls_tasks_and_notes_and_shows_its_accounts_contacts(  # type: ignore[no-untyped-def]
    as_user, records, session_factory, staff
) -> None:
    with transaction(session_factory) as session:
        sales_user = session.merge(staff["sales"])
        maria = add_contact(
            session, sales_user, Parent(ParentType.ACCOUNT, records["account"]), {"name": "Maria Pop"}
        )
        session.get(Offer, records["offer"]).contact_id = maria.id  # the one it is sent to
    sales = as_user("sales")
    page_path = f"/admin/offers/{records['offer']}"
    page = page_of(sales, page_path)
    assert "Maria Pop" in page and f"/admin/accounts/{records['account']}#contacts" in page
    assert re.search(r"Maria Pop</strong>.*?Sent to</span>", page, re.S)
    assert "contact-form" not in page  # the account's contacts are changed on the account

    assert submit(sales, page_path, "note-form", body="Price agreed verbally").status_code == 302
    response = submit(sales, page_path, "task-form", name="Call about the price", due_date="2031-06-01")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{page_path}#tasks")
    assert submit(sales, page_path, "log-call-form", outcome="Accepted").status_code == 302

    on_offer = Parent(ParentType.OFFER, records["offer"])
    with session_factory() as session:
        assert session.scalars(select(Note)).one().parent == on_offer
        task = session.scalars(select(Task)).one()
        assert task.parent == on_offer
        assert session.scalars(select(Activity)).one().parent == on_offer
    page = text(page_of(sales, page_path))
    assert "Price agreed verbally" in page and "Call about the price" in page and "Accepted" in page
    assert f'<a href="{page_path}">Looms 2027</a>' in page_of(sales, "/admin/tasks")

    token = read_form(page_of(sales, page_path), "task-form")["csrf_token"]
    assert sales.post(f"{page_path}/tasks/{task.id}/complete", data={"csrf_token": token}).status_code == 302
    with session_factory() as session:
        assert session.get(Task, task.id).status == TaskStatus.DONE
    # No contact routes of an offer's own.
    assert sales.post(f"{page_path}/contacts", data={"csrf_token": token, "name": "X"}).status_code == 404


@pytest.mark.parametrize("kind", ["accounts", "offers"])
def test_a_refused_form_comes_back_with_what_was_typed(as_user, records, session_factory, kind) -> None:  # type: ignore[no-untyped-def]
    sales = as_user("sales")
    path = f"/admin/{kind}/{records[kind[:-1]]}"
    response = submit(sales, path, "task-form", name="", due_date="soon")
    assert response.status_code == 400
    form = read_form(response.get_data(as_text=True), "task-form")
    assert form["due_date"] == "soon"
    assert 'id="task-name-error"' in response.get_data(as_text=True)

    response = submit(sales, path, "log-call-form", starts_at="yesterday-ish", outcome="Kept this")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'<details class="disclosure" id="log-call" open>', page)
    assert 'id="call-starts_at-error"' in page and "Kept this" in page

    response = submit(sales, path, "note-form", body="   ")
    assert response.status_code == 400 and 'id="note-body-error"' in response.get_data(as_text=True)
    if kind == "accounts":
        response = submit(sales, path, "contact-form", name="", email="not-an-email", job_title="Șef")
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert re.search(r'<details class="disclosure" id="add-contact" open>', page)
        assert 'id="contact-name-error"' in page and 'id="contact-email-error"' in page
        assert read_form(page, "contact-form")["job_title"] == "Șef"
    with session_factory() as session:
        assert [session.scalars(select(m)).all() for m in (Contact, Activity, Task, Note)] == [[], [], [], []]


def test_user_text_is_escaped(as_user, records) -> None:  # type: ignore[no-untyped-def]
    sales = as_user("sales")
    card = f"/admin/accounts/{records['account']}"
    evil = "<script>alert(1)</script>"
    assert submit(sales, card, "contact-form", name=evil).status_code == 302
    assert submit(sales, card, "note-form", body=evil).status_code == 302
    offer = f"/admin/offers/{records['offer']}"
    assert submit(sales, offer, "note-form", body=evil).status_code == 302
    for path in (card, offer, "/admin/tasks"):
        page = page_of(sales, path)
        assert evil not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_of(sales, card)


def test_only_its_author_or_an_admin_changes_a_note(as_user, records, session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    with transaction(session_factory) as session:
        author = session.merge(staff["sales"])
        note_id = add_note(session, author, Parent(ParentType.OFFER, records["offer"]), {"body": "Mine"}).id
    path = f"/admin/offers/{records['offer']}"
    marketing = as_user("marketing")
    assert f"/notes/{note_id}/edit" not in page_of(marketing, path)
    token = read_form(page_of(marketing, path), "note-form")["csrf_token"]
    for url in (f"{path}/notes/{note_id}/edit", f"{path}/notes/{note_id}/delete"):
        assert marketing.get(url).status_code == 409
        response = marketing.post(url, data={"csrf_token": token, "body": "Theirs"})
        assert response.status_code == 409
        assert "Only the note&#39;s author or an admin can change it." in response.get_data(as_text=True)
    assert f"/notes/{note_id}/edit" in page_of(as_user("sales"), path)
    admin = as_user("admin")
    assert submit(admin, f"{path}/notes/{note_id}/edit", "note-edit-form", body="Fixed").status_code == 302
    with session_factory() as session:
        assert session.get(Note, note_id).body == "Fixed"


def test_show_older_loads_the_next_page_of_the_timeline(as_user, records, session_factory, staff) -> None:  # type: ignore[no-untyped-def]
    parent = Parent(ParentType.ACCOUNT, records["account"])
    with transaction(session_factory) as session:
        author = session.merge(staff["sales"])
        for n in range(35):
            add_note(session, author, parent, {"body": f"Note {n:02d}"})
    sales = as_user("sales")
    card = f"/admin/accounts/{records['account']}"
    page = page_of(sales, card)
    assert "Note 34" in page and "Note 04" not in page
    fragment = re.search(r'data-fragment="([^"]+)"', page)
    assert fragment and fragment[1].startswith(f"{card}/timeline?")
    older = page_of(sales, fragment[1].replace("&amp;", "&"))
    assert "Note 04" in older and "Note 00" in older and "Note 34" not in older
    assert "Changes" not in page_of(sales, card)  # no field history on an account


def test_sales_complete_a_colleagues_task_on_their_own_account(
    as_user, records, session_factory, staff
) -> None:  # type: ignore[no-untyped-def]
    """Whoever may see the account may work on its tasks, as on a prospect they own."""
    with transaction(session_factory) as session:
        admin = session.merge(staff["admin"])
        task_ids = [
            create_task(
                session, admin, Parent(ParentType.ACCOUNT, records["account"]), {"name": "Admin's"}
            ).id,
            create_task(session, admin, Parent(ParentType.OFFER, records["offer"]), {"name": "Admin's"}).id,
        ]
    sales = as_user("sales")
    for kind, task_id in zip(("accounts", "offers"), task_ids, strict=True):
        path = f"/admin/{kind}/{records[kind[:-1]]}"
        token = read_form(page_of(sales, path), "task-form")["csrf_token"]
        assert sales.post(f"{path}/tasks/{task_id}/complete", data={"csrf_token": token}).status_code == 302
        assert page_of(sales, f"/admin/tasks/{task_id}")  # and its page on the Tasks side
    with session_factory() as session:
        assert {session.get(Task, task_id).status for task_id in task_ids} == {TaskStatus.DONE}
    # Sue, who owns neither, reaches neither task.
    sue = as_user("sales2")
    assert [sue.get(f"/admin/tasks/{task_id}").status_code for task_id in task_ids] == [404, 404]


def test_posting_without_the_csrf_token_is_refused(as_user, records, session_factory) -> None:  # type: ignore[no-untyped-def]
    sales = as_user("sales")
    for kind in ("accounts", "offers"):
        parent_id = records[kind[:-1]]
        response = sales.post(f"/admin/{kind}/{parent_id}/notes", data={"body": "No token"})
        assert response.status_code == 400
    assert sales.post(f"/admin/accounts/{records['account']}/contacts", data={"name": "X"}).status_code == 400
    with session_factory() as session:
        assert session.scalars(select(Note)).all() == [] and session.scalars(select(Contact)).all() == []


def _on(session: Session, author: Any, parent: Parent) -> dict[str, int]:
    from zoneinfo import ZoneInfo

    ids = {
        "activity_id": log_activity(
            session, author, parent, {"kind": "meeting", "starts_at": "2031-01-02T10:00"}, ZoneInfo("UTC")
        ).id,
        "task_id": create_task(session, author, parent, {"name": "Theirs"}).id,
        "note_id": add_note(session, author, parent, {"body": "Theirs"}).id,
    }
    if parent.type == ParentType.ACCOUNT:
        ids["contact_id"] = add_contact(session, author, parent, {"name": "Theirs"}).id
    return ids


ROUTES = [
    ("POST", "/contacts"),
    ("GET", "/contacts/{contact_id}/edit"),
    ("POST", "/contacts/{contact_id}/edit"),
    ("GET", "/contacts/{contact_id}/delete"),
    ("POST", "/contacts/{contact_id}/delete"),
    ("POST", "/activities"),
    ("POST", "/activities/{activity_id}/outcome"),
    ("GET", "/activities/{activity_id}/edit"),
    ("POST", "/activities/{activity_id}/edit"),
    ("GET", "/activities/{activity_id}/delete"),
    ("POST", "/activities/{activity_id}/delete"),
    ("POST", "/tasks"),
    ("POST", "/tasks/{task_id}/complete"),
    ("POST", "/tasks/{task_id}/reopen"),
    ("POST", "/notes"),
    ("GET", "/notes/{note_id}/edit"),
    ("POST", "/notes/{note_id}/edit"),
    ("GET", "/notes/{note_id}/delete"),
    ("POST", "/notes/{note_id}/delete"),
    ("GET", "/timeline"),
]


def test_sales_reach_nothing_on_an_account_or_offer_they_may_not_see(  # type: ignore[no-untyped-def]
    as_user, staff, session_factory
) -> None:
    with transaction(session_factory) as session:
        admin = session.merge(staff["admin"])
        theirs = create_account(session, admin, {"name": "Theirs SRL", "owner_id": staff["sales2"].id})
        mine = create_account(session, admin, {"name": "Mine SRL", "owner_id": staff["sales"].id})
        their_offer = create_offer(session, admin, theirs.id, {"name": "Their offer", "currency": "EUR"})
        my_offer = create_offer(session, admin, mine.id, {"name": "My offer", "currency": "EUR"})
        parents = {
            "accounts": (theirs.id, mine.id, _on(session, admin, Parent(ParentType.ACCOUNT, theirs.id))),
            "offers": (
                their_offer.id,
                my_offer.id,
                _on(session, admin, Parent(ParentType.OFFER, their_offer.id)),
            ),
        }
    with session_factory() as session:
        before = [
            sorted(map(repr, session.execute(select(*m.__table__.columns))))
            for m in (Contact, Activity, Task, Note)
        ]
    sales = as_user("sales")
    token = read_form(page_of(sales, f"/admin/accounts/{mine.id}"), "note-form")["csrf_token"]
    data = {
        "csrf_token": token,
        "name": "X",
        "body": "X",
        "kind": "call",
        "starts_at": "2031-01-01T10:00",
        "status": "held",
    }
    assert sales.get(f"/admin/accounts/{theirs.id}").status_code == 404
    assert sales.get(f"/admin/offers/{their_offer.id}").status_code == 404
    checked = 0
    for kind, (their_id, my_id, ids) in parents.items():
        for method, rule in ROUTES:
            if "contact" in rule and kind == "offers":
                continue
            # Their parent, and their records through the address of my own.
            for parent_id in (their_id, my_id):
                if parent_id == my_id and "{" not in rule:
                    continue  # my own account's forms are mine to use
                url = f"/admin/{kind}/{parent_id}" + rule.format(**ids)
                response = sales.open(url, method=method, data=data if method == "POST" else None)
                assert response.status_code == 404, (method, url, response.status_code)
                checked += 1
    # Accounts: 20 routes, 5 of them without a record id; offers: 15 (no contacts), 4 without.
    assert checked == (2 * 20 - 5) + (2 * 15 - 4)
    with session_factory() as session:
        after = [
            sorted(map(repr, session.execute(select(*m.__table__.columns))))
            for m in (Contact, Activity, Task, Note)
        ]
    assert after == before
