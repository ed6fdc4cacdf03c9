"""Migration 0014 on a database with prospects and tasks: the partial indexes
on open tasks and on prospects not converted are built over the rows already
there (and hold exactly those rows), the Tasks page and the overdue filter
read the same as before, and it undoes cleanly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, inspect, select, text

from crm_core.db import make_engine, make_session_factory
from crm_core.migrate import downgrade, upgrade
from crm_core.prospects.filters import ProspectFilter
from crm_core.prospects.models import Prospect
from crm_core.prospects.queries import count_matching
from crm_core.tasks.models import Task
from crm_core.tasks.queries import tasks_page
from crm_core.users.models import User

NEW_TASK_INDEXES = {
    "ix_tasks_open_owner_due",
    "ix_tasks_open_owner_undated",
    "ix_tasks_open_due",
    "ix_tasks_open_undated",
}
NEW_PROSPECT_INDEXES = {"ix_prospects_open_next_task_due", "ix_prospects_owner_next_task_due"}


def _indexes(engine, table: str) -> set[str]:  # type: ignore[no-untyped-def]
    return {index["name"] for index in inspect(engine).get_indexes(table)}


def test_0014_indexes_existing_rows_and_undoes_cleanly(fresh_database_url: str) -> None:
    upgrade(fresh_database_url, "0013")
    engine = make_engine(fresh_database_url)
    now = datetime.now(UTC)
    today = now.date()
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, name, role, password_hash, active, created_at, language)"
                    " VALUES ('ana@example.ro', 'Ana', 'sales', 'x', :yes, :at, 'en')"
                ),
                {"yes": True, "at": now},
            )
            ana = conn.execute(select(User.id)).scalar_one()
            prospects = [
                {"name": name, "owner_id": ana, "next_task_due": due, "converted_at": converted}
                for name, due, converted in (
                    ("Late", today - timedelta(days=2), None),
                    ("Late but converted", today - timedelta(days=2), now),
                    ("On time", today + timedelta(days=2), None),
                )
            ]
            conn.execute(insert(Prospect), [{**p, "created_at": now, "updated_at": now} for p in prospects])
            tasks = [
                ("Overdue", today - timedelta(days=1), "open"),
                ("Today", today, "in_progress"),
                ("Next week", today + timedelta(days=7), "open"),
                ("Someday", None, "open"),
                ("Finished", today - timedelta(days=1), "done"),
            ]
            conn.execute(
                insert(Task),
                [
                    {"name": name, "due_date": due, "status": status, "owner_id": ana}
                    | {"created_at": now, "updated_at": now, "description": ""}
                    for name, due, status in tasks
                ],
            )

        upgrade(fresh_database_url, "0014")
        assert _indexes(engine, "tasks") >= NEW_TASK_INDEXES
        prospect_indexes = _indexes(engine, "prospects")
        assert (
            prospect_indexes >= NEW_PROSPECT_INDEXES and "ix_prospects_next_task_due" not in prospect_indexes
        )
        with make_session_factory(engine)() as session:
            ana_user = session.get(User, ana)
            assert ana_user is not None
            groups = {g.key: [t.name for t in g.tasks] for g in tasks_page(session, [ana], ZoneInfo("UTC"))}
            assert groups == {"overdue": ["Overdue"], "today": ["Today"], "upcoming": ["Next week"]} | {
                "no_date": ["Someday"]
            }
            assert count_matching(session, ana_user, ProspectFilter(tasks="overdue")).value == 1
        if engine.dialect.name == "postgresql":
            # Each partial index holds exactly the rows of its condition.
            with engine.connect() as conn:
                sizes = dict(
                    conn.execute(
                        text("SELECT c.relname, c.reltuples FROM pg_class c WHERE c.relname = ANY(:names)"),
                        {"names": sorted(NEW_TASK_INDEXES | NEW_PROSPECT_INDEXES)},
                    ).all()
                )
            assert sizes["ix_tasks_open_owner_due"] == 4 and sizes["ix_tasks_open_undated"] == 1, sizes
            assert sizes["ix_prospects_open_next_task_due"] == 2, sizes

        downgrade(fresh_database_url, "0013")
        engine.dispose()
        # 0007's index on open tasks by due date and owner is back as it was.
        assert _indexes(engine, "tasks") & NEW_TASK_INDEXES == {"ix_tasks_open_due"}
        open_due = [i for i in inspect(engine).get_indexes("tasks") if i["name"] == "ix_tasks_open_due"]
        assert open_due[0]["column_names"] == ["due_date", "owner_id"]
        prospect_indexes = _indexes(engine, "prospects")
        assert (
            "ix_prospects_next_task_due" in prospect_indexes and not NEW_PROSPECT_INDEXES & prospect_indexes
        )
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM tasks")).scalar() == 5
            assert conn.execute(text("SELECT count(*) FROM prospects")).scalar() == 3
    finally:
        engine.dispose()
