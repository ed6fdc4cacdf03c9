"""Whatever a visitor or a user types reaches the admin pages inert: HTML/JS
payloads sent through the public form are shown escaped in the list and the
detail, and those typed into a prospect's contacts, activities, tasks and
notes are shown escaped on its card."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from crm_core.models import Activity, Contact, Note, Prospect, Task
from tests.admin.html_forms import read_form

PAYLOADS = {
    "name": "<script>alert(1)</script>",
    "company": '"><img src=x onerror=alert(1)>',
    "email": "x@example.com",
    "phone": "+40 722 000 111",
    "description": "</textarea><svg onload=alert(1)>",
}


def test_payloads_from_the_public_form_are_inert(client, as_user, make_form, drain, db) -> None:
    form = make_form(
        fields=[
            {"name": "name", "required": True},
            {"name": "company"},
            {"name": "email", "type": "email"},
            {"name": "phone", "type": "tel"},
            {"name": "description", "type": "textarea"},
        ]
    )
    response = client.post(
        f"/f/{form['key']}",
        data={**PAYLOADS, "_lc_id": str(uuid.uuid4()), "_lc_page": "https://example.com/?x=<b>"},
        headers={"Origin": "https://example.com", "Accept": "application/json"},
    )
    assert response.status_code == 202, response.get_data(as_text=True)
    assert drain() == 1
    prospect = db.scalars(select(Prospect)).one()
    assert prospect.name == "[Web] <script>alert(1)</script>"  # stored as typed

    admin = as_user("admin")
    pages = {
        "list": admin.get("/admin/").get_data(as_text=True),
        "search": admin.get("/admin/?q=script").get_data(as_text=True),
        "detail": admin.get(f"/admin/prospects/{prospect.id}").get_data(as_text=True),
        "edit": admin.get(f"/admin/prospects/{prospect.id}/edit").get_data(as_text=True),
    }
    for where, page in pages.items():
        assert "<script>alert(1)</script>" not in page, where
        assert "<img src=x" not in page, where
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, where
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page, where
    assert "<svg onload" not in pages["detail"] and "&lt;svg onload=alert(1)&gt;" in pages["detail"]
    assert "</textarea><svg" not in pages["edit"]
    assert "?x=&lt;b&gt;" in pages["detail"]
    # The JSON list is data, served as JSON, never HTML.
    response = admin.get("/admin/prospects.json")
    assert response.mimetype == "application/json"
    assert response.json["items"][0]["company"] == PAYLOADS["company"]


def test_payloads_in_the_cards_records_are_inert(as_user, staff, add_prospect, db) -> None:  # type: ignore[no-untyped-def]
    """Contacts, activity subjects and outcomes, task names and notes (through
    the link filter) are shown as text on the card, its edit and delete pages,
    the timeline's next page, and a form sent back with an error."""
    pid = add_prospect(owner_id=staff["sales"].id)
    sales = as_user("sales")
    card_url = f"/admin/prospects/{pid}"
    token = read_form(sales.get(card_url).get_data(as_text=True), "note-form")["csrf_token"]
    script, img, svg = PAYLOADS["name"], PAYLOADS["company"], PAYLOADS["description"]
    posts = {
        "contacts": {"name": script, "job_title": img, "department": svg},
        "activities": {"kind": "call", "starts_at": "2030-01-02T10:00", "subject": img, "outcome": svg},
        "tasks": {"name": script},
        "notes": {"body": f"{script}\nhttps://example.com/{img}\njavascript:alert(1)"},
    }
    for path, data in posts.items():
        response = sales.post(f"{card_url}/{path}", data={"csrf_token": token, **data})
        assert response.status_code == 302, (path, response.get_data(as_text=True))
    # A value the form sends back with an error is shown as text too.
    refused = sales.post(f"{card_url}/contacts", data={"csrf_token": token, "name": "Ana", "email": script})
    assert refused.status_code == 400

    contact = db.scalars(select(Contact)).one()
    activity = db.scalars(select(Activity)).one()
    note = db.scalars(select(Note)).one()
    assert (contact.name, db.scalars(select(Task)).one().name) == (script, script)  # stored as typed
    pages = {
        "card": sales.get(card_url).get_data(as_text=True),
        "refused": refused.get_data(as_text=True),
        "timeline": sales.get(f"{card_url}/timeline").get_data(as_text=True),
        "contact edit": sales.get(f"{card_url}/contacts/{contact.id}/edit").get_data(as_text=True),
        "contact delete": sales.get(f"{card_url}/contacts/{contact.id}/delete").get_data(as_text=True),
        "activity edit": sales.get(f"{card_url}/activities/{activity.id}/edit").get_data(as_text=True),
        "activity delete": sales.get(f"{card_url}/activities/{activity.id}/delete").get_data(as_text=True),
        "note edit": sales.get(f"{card_url}/notes/{note.id}/edit").get_data(as_text=True),
        "note delete": sales.get(f"{card_url}/notes/{note.id}/delete").get_data(as_text=True),
    }
    for where, page in pages.items():
        assert "<script>alert(1)</script>" not in page, where
        assert "<img src=x" not in page, where
        assert "<svg onload" not in page, where
        assert 'href="javascript' not in page.lower(), where
    for where in ("card", "timeline", "contact edit", "contact delete", "note edit", "note delete"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[where], where
    for where in ("card", "activity edit", "activity delete"):
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in pages[where], where
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;" aria-invalid="true"' in pages["refused"]
    # The note's link ends where the address does; what follows stays text.
    assert re.search(
        r'<a href="https://example.com/" rel="noopener noreferrer nofollow" target="_blank">'
        r"https://example.com/</a>&#34;&gt;&lt;img src=x onerror=alert\(1\)&gt;",
        pages["card"],
    )
    assert (
        "</textarea><svg" not in pages["activity edit"]
        and "&lt;/textarea&gt;&lt;svg" in pages["activity edit"]
    )
