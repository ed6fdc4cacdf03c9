"""The worker's insert fills search_text, so captured leads are searchable
without diacritics straight away; the migration fills it for older rows."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, select, text

from crm_core.migrate import downgrade, upgrade
from crm_core.models import Prospect
from crm_core.text.search import search_text


def test_captured_prospect_is_found_without_diacritics(client, as_user, make_form, drain, db) -> None:
    form = make_form()
    response = client.post(
        f"/f/{form['key']}",
        data={"name": "Žydrūnė Kęstutienė", "email": "Zydrune@Example.LT", "_lc_id": str(uuid.uuid4())},
        headers={"Origin": "https://example.com", "Accept": "application/json"},
    )
    assert response.status_code == 202
    assert drain() == 1
    prospect = db.scalars(select(Prospect)).one()
    assert prospect.search_text == search_text(
        {"name": "[Web] Žydrūnė Kęstutienė", "email": "Zydrune@Example.LT"}
    )
    admin = as_user("admin")
    for query in ("q=zydrune+kestutiene", "email=zydrune@", "name=kestut"):
        assert [i["id"] for i in admin.get(f"/admin/prospects.json?{query}").json["items"]] == [
            prospect.id
        ], query


def test_migration_backfills_search_text(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0002")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO prospects (name, company, trade_register_no, registration_code, address, postal_code,"
                " city, county, country, phone, email, description, page_url, referrer, attribution,"
                " custom_fields, consent_given, consent_text, created_at, updated_at) VALUES"
                " ('Ștefan', 'Țara', '', 'RO1', '', '', '', '', '', '', 's@x.ro', '', '', '', '{}', '{}', 0, '',"
                " '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')"
            )
        )
    upgrade(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT search_text FROM prospects")).scalar() == search_text(
            {"name": "Ștefan", "company": "Țara", "registration_code": "RO1", "email": "s@x.ro"}
        )
    downgrade(url, "0002")
    engine.dispose()
