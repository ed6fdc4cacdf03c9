"""Whatever a visitor types reaches the admin pages inert: HTML/JS payloads
sent through the public form are shown escaped in the list and the detail."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from crm_core.models import Prospect

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
