"""Migration 0010 (API tokens, idempotent requests) on a database that already
has rows: they survive the upgrade, the new tables work, and the downgrade
takes back only what 0010 added."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, text

from crm_core.db import make_engine
from crm_core.migrate import downgrade, previous_revision, upgrade

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_0010_upgrades_and_downgrades_a_database_with_rows(fresh_database_url: str) -> None:
    upgrade(fresh_database_url, previous_revision("0010"))
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, name, role, password_hash, active, created_at) "
                    "VALUES ('ana@example.com', 'Ana', 'sales', 'x', true, :now)"
                ),
                {"now": NOW},
            )
            conn.execute(
                text(
                    "INSERT INTO prospects (name, company, trade_register_no, registration_code, address, "
                    "postal_code, city, county, country, phone, email, description, search_text, page_url, "
                    "referrer, attribution, custom_fields, consent_given, consent_text, open_tasks, created_at, "
                    "updated_at, owner_id) VALUES ('[Web] Ana', '', '', '', '', '', '', '', '', '', '', '', '', "
                    "'', '', '{}', '{}', false, '', 0, :now, :now, (SELECT id FROM users))"
                ),
                {"now": NOW},
            )
        upgrade(fresh_database_url, "0010")
        with engine.begin() as conn:
            assert conn.execute(text("SELECT name FROM prospects")).scalar_one() == "[Web] Ana"
            user_id = conn.execute(text("SELECT id FROM users")).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO api_tokens (user_id, name, token_hash, hint, scopes, created_at, expires_at) "
                    "VALUES (:user, 'sync', :hash, 'lcp_abcdef…', 'read write', :now, :now)"
                ),
                {"user": user_id, "hash": "0" * 64, "now": NOW},
            )
            token_id = conn.execute(text("SELECT id FROM api_tokens")).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO api_idempotent_requests (token_id, key, fingerprint, created_at) "
                    "VALUES (:token, 'k1', :print, :now)"
                ),
                {"token": token_id, "print": "1" * 64, "now": NOW},
            )
        tables = set(inspect(engine).get_table_names())
        assert {"api_tokens", "api_idempotent_requests"} <= tables
        engine.dispose()
        downgrade(fresh_database_url, previous_revision("0010"))
        engine = make_engine(fresh_database_url)
        tables = set(inspect(engine).get_table_names())
        assert "api_tokens" not in tables and "api_idempotent_requests" not in tables
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
            assert conn.execute(text("SELECT name FROM prospects")).scalar_one() == "[Web] Ana"
        upgrade(fresh_database_url)  # and up again to head
    finally:
        engine.dispose()
