"""Migration 0011 on a database with rows: existing users get English as
their mail language, the new tables start empty, and it undoes cleanly."""

from __future__ import annotations

from sqlalchemy import inspect, text

from crm_core.db import make_engine
from crm_core.migrate import downgrade, previous_revision, upgrade


def test_0011_upgrades_a_database_with_users_and_undoes_cleanly(fresh_database_url: str) -> None:
    upgrade(fresh_database_url, previous_revision("0011"))
    engine = make_engine(fresh_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, name, role, password_hash, active, created_at)"
                    " VALUES ('ana@example.ro', 'Ana', 'sales', 'x', :yes, :at)"
                ),
                {"yes": True, "at": "2026-01-01 00:00:00+00:00"},
            )
        upgrade(fresh_database_url, "0011")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT email, language FROM users")).all() == [("ana@example.ro", "en")]
            for table in (
                "webhook_endpoints",
                "webhook_deliveries",
                "mail_outbox",
                "notification_preferences",
            ):
                assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0  # noqa: S608
        downgrade(fresh_database_url, previous_revision("0011"))
        engine.dispose()
        tables = set(inspect(engine).get_table_names())
        assert "webhook_endpoints" not in tables and "mail_outbox" not in tables
        assert "language" not in {c["name"] for c in inspect(engine).get_columns("users")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT email FROM users")).scalar() == "ana@example.ro"
    finally:
        engine.dispose()
