"""The Tasks page, the navigation's count and the list's "overdue tasks" filter
read through the partial indexes of migration 0012, on both databases.

At a million prospects and 500,000 open tasks these are what keep a group's
first 50 tasks 50 index entries and the filter's count off the table
(``bench/related_records.py``); here the tables are tiny, so the planner is
asked whether the index *can* serve each statement: on PostgreSQL with
sequential scans, bitmap scans and sorts priced out, on SQLite as it plans
(it prefers an index that saves a sort). Written with bound parameters,
``status IN (…)`` would not match the indexes' condition on SQLite, and a
bare OR would not be an index range on either."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, insert
from sqlalchemy.orm import Session, sessionmaker

from crm_core.prospects.filters import ProspectFilter
from crm_core.prospects.queries import count_matching, list_page
from crm_core.tasks.models import Task, TaskStatus
from crm_core.tasks.queries import due_count, tasks_page
from crm_core.users.models import User

UTC_ZONE = ZoneInfo("UTC")


@pytest.fixture
def seeded(
    session_factory: sessionmaker[Session], staff: dict[str, User], add_prospect: Any
) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    sales = staff["sales"]
    ids = [add_prospect(owner_id=sales.id, next_task_due=today - timedelta(days=n % 5)) for n in range(20)]
    rows = []
    for n in range(200):
        due: date | None = None if n % 4 == 0 else today + timedelta(days=n % 9 - 4)
        rows.append(
            {
                "name": f"Task {n}",
                "owner_id": (sales.id, staff["sales2"].id)[n % 2],
                "parent_type": "prospect",
                "parent_id": ids[n % len(ids)],
                "status": (TaskStatus.OPEN, TaskStatus.IN_PROGRESS, TaskStatus.DONE)[n % 3],
                "due_date": due,
                "created_at": datetime.now(UTC) - timedelta(hours=n),
                "updated_at": datetime.now(UTC),
            }
        )
    with session_factory.begin() as session:
        session.execute(insert(Task), rows)
    return {"sales": sales, "admin": staff["admin"]}


def _plans(session: Session, run: Callable[[], Any]) -> Iterator[tuple[str, str]]:
    """(statement, plan) of each SELECT ``run`` sends, each planned in turn."""
    statements: list[tuple[str, Any]] = []
    connection = session.connection()

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(connection, "before_cursor_execute", record)
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql(
            "ANALYZE tasks, prospects"
        )  # real estimates, not the defaults for empty tables
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    for statement, parameters in statements:
        prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        yield statement, "\n".join(str(row[0] if postgres else row[-1]) for row in rows)


def test_the_tasks_page_reads_each_group_in_order_from_the_open_task_indexes(db: Session, seeded) -> None:  # type: ignore[no-untyped-def]
    plans = list(_plans(db, lambda: tasks_page(db, [seeded["sales"].id], UTC_ZONE)))
    lists = [plan for statement, plan in plans if "count(" not in statement]
    [count] = [plan for statement, plan in plans if "count(" in statement]  # one count for the four groups
    assert len(lists) == 4, plans
    # The undated group may read either undated open-task index (both in its order): with
    # 200 rows their costs tie, and which one wins depends on the index sizes earlier tests
    # left behind, not on anything this code decides.
    for plan, index in zip(
        lists, ["ix_tasks_open_owner_due"] * 3 + ["ix_tasks_open_(owner_)?undated"], strict=True
    ):
        assert re.search(index, plan), plan
        assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
    # Overdue ends at today: a user with three overdue tasks and 10,000 later ones reads three.
    assert re.search(r"Index Cond: .*due_date <=|owner_id=\? AND due_date<\?", lists[0]), lists[0]
    assert "ix_tasks_" in count and "Seq Scan" not in count, count


def test_everyones_tasks_page_reads_the_open_task_indexes(db: Session, seeded) -> None:  # type: ignore[no-untyped-def]
    plans = list(_plans(db, lambda: tasks_page(db, None, UTC_ZONE)))
    lists = [plan for statement, plan in plans if "count(" not in statement]
    for plan in lists[:3]:  # overdue, today, upcoming
        assert "ix_tasks_open_due" in plan and "Sort" not in plan and "TEMP B-TREE" not in plan, plan
    # SQLite may prefer sorting the undated ones it finds through ix_tasks_open_due.
    assert "ix_tasks_open_" in lists[3], lists[3]


def test_the_navigation_count_is_one_range_of_the_open_task_index(db: Session, seeded) -> None:  # type: ignore[no-untyped-def]
    [(_, plan)] = _plans(db, lambda: due_count(db, seeded["sales"], UTC_ZONE))
    # Either owner index holds the range; SQLite picks the older one, which covers it too.
    assert "ix_tasks_open_owner_due" in plan or "COVERING INDEX ix_tasks_owner_status_due" in plan, plan


@pytest.mark.parametrize("who", ["admin", "sales"])
def test_the_overdue_filter_reads_next_task_due_of_prospects_not_converted(
    db: Session, seeded, who: str
) -> None:  # type: ignore[no-untyped-def]
    viewer = seeded[who]
    flt = ProspectFilter(tasks="overdue")
    [(_, count_plan)] = _plans(db, lambda: count_matching(db, viewer, flt))
    # At this size either partial index is as cheap; at a million rows the planner
    # takes ix_prospects_open_next_task_due for everyone's, the owner's one for sales.
    assert re.search(r"ix_prospects_(open|owner)_next_task_due", count_plan), count_plan
    assert "Seq Scan" not in count_plan and not count_plan.startswith("SCAN prospects"), count_plan
    page = list_page(db, viewer, flt)
    assert len(page.rows) == count_matching(db, viewer, flt).value == 16  # 4 of the 20 are due today
