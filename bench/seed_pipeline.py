"""Add the records around prospects that the board, the reports and the home
page read, to a database ``seed_prospects.py`` filled:

    python bench/seed_pipeline.py --database-url URL

- the prospects in a "converted" status get converted (``converted_at`` 1 to
  60 days after they came in, never in the future), an account each, and one
  or two offers (EUR or RON, draft / sent / accepted / rejected / expired);
- tasks on 30 % of prospects (open, in progress, done with ``completed_at``;
  due dates from two months ago to a month ahead), the prospects' task
  summary refreshed;
- activities on 20 % of prospects (calls, emails, meetings; held, not held,
  planned), and some on the bench admin's own prospects-free day (overdue
  and today's tasks for the dashboard).

Deterministic (``--seed``). Writes in batches; the triggers keep the tallies,
which are merged at the end.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, bindparam, func, insert, select, text, update

from crm_core.db import make_engine, make_session_factory, transaction
from crm_core.models import Account, Activity, Offer, OfferStatus, Prospect, Status, Task, User
from crm_core.reports.models import OwnerTally, SourceTally
from crm_core.reports.tallies import compact

BATCH = 5_000
TASK_SHARE = 0.30
ACTIVITY_SHARE = 0.20


def _batches(rows: list[dict[str, Any]], size: int = BATCH) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def convert(engine: Engine, rng: random.Random, now: datetime) -> int:
    factory = make_session_factory(engine)
    with factory() as session:
        converted_status = session.scalars(select(Status.id).where(Status.kind == "converted")).all()
        offer_statuses = {s.kind.value: s.id for s in session.scalars(select(OfferStatus))}
        rows = session.execute(
            select(
                Prospect.id, Prospect.name, Prospect.company, Prospect.owner_id, Prospect.created_at
            ).where(Prospect.status_id.in_(converted_status), Prospect.converted_at.is_(None))
        ).all()
    kinds = ["draft", "sent", "sent", "accepted", "rejected", "expired"]
    done = 0
    for chunk in [rows[i : i + BATCH] for i in range(0, len(rows), BATCH)]:
        with transaction(factory) as session:
            accounts = [
                {
                    "type": "company" if p.company else "person",
                    "name": (p.company or p.name.removeprefix("[Web] "))[:200],
                    "owner_id": p.owner_id,
                    "search_text": "",
                    "created_at": p.created_at,
                    "updated_at": p.created_at,
                }
                for p in chunk
            ]
            ids = session.scalars(
                insert(Account).returning(Account.id, sort_by_parameter_order=True), accounts
            ).all()
            conversions, offers = [], []
            for p, account_id in zip(chunk, ids, strict=True):
                when = min(p.created_at + timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23)), now)
                conversions.append({"pid": p.id, "account": account_id, "at": when})
                for n in range(rng.choice((1, 1, 2))):
                    currency = rng.choice(("EUR", "EUR", "RON"))
                    offers.append(
                        {
                            "account_id": account_id,
                            "prospect_id": p.id,
                            "name": f"Offer {n + 1} for {p.company or p.name}"[:200],
                            "probability": rng.choice((10, 25, 50, 75, 90)),
                            "currency": currency,
                            "total": Decimal(rng.randint(100, 500_000)) / 100,
                            "status_id": offer_statuses[rng.choice(kinds)],
                            "owner_id": p.owner_id,
                            "created_at": when,
                            "updated_at": when,
                        }
                    )
            table = Prospect.__table__
            session.connection().execute(
                update(table)
                .where(table.c.id == bindparam("pid"))
                .values(account_id=bindparam("account"), converted_at=bindparam("at")),
                conversions,
            )
            session.execute(insert(Offer), offers)
        done += len(chunk)
    return done


def tasks_and_activities(engine: Engine, rng: random.Random, now: datetime) -> tuple[int, int]:
    factory = make_session_factory(engine)
    with factory() as session:
        prospects = session.execute(select(Prospect.id, Prospect.owner_id, Prospect.created_at)).all()
        admin = session.scalar(select(User.id).where(User.email == "bench-admin@example.com"))
    today = now.date()
    tasks, activities = [], []
    for p in prospects:
        if rng.random() < TASK_SHARE:
            state = rng.choice(("open", "open", "in_progress", "done", "done", "cancelled"))
            due = today + timedelta(days=rng.randint(-60, 30))
            created = min(p.created_at + timedelta(hours=rng.randint(1, 200)), now)
            tasks.append(
                {
                    "parent_type": "prospect",
                    "parent_id": p.id,
                    "name": rng.choice(("Call back", "Send the quote", "Pirmas skambutis", "Relancer")),
                    "description": "",
                    "due_date": due,
                    "owner_id": p.owner_id or admin,
                    "status": state,
                    "completed_at": min(created + timedelta(days=rng.randint(0, 20)), now)
                    if state == "done"
                    else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
        if rng.random() < ACTIVITY_SHARE:
            starts = min(p.created_at + timedelta(hours=rng.randint(1, 500)), now + timedelta(days=10))
            activities.append(
                {
                    "parent_type": "prospect",
                    "parent_id": p.id,
                    "kind": rng.choice(("call", "call", "email", "meeting")),
                    "subject": "Follow-up",
                    "starts_at": starts,
                    "status": "planned" if starts > now else rng.choice(("held", "held", "not_held")),
                    "owner_id": p.owner_id or admin,
                    "outcome": "",
                    "created_at": min(starts, now),
                    "updated_at": min(starts, now),
                }
            )
    # The bench admin's own day: some overdue, some due today.
    for n in range(30):
        tasks.append(
            {
                "parent_type": None,
                "parent_id": None,
                "name": f"Admin task {n}",
                "description": "",
                "due_date": today - timedelta(days=n % 3),
                "owner_id": admin,
                "status": "open",
                "completed_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    for chunk in _batches(tasks):
        with transaction(factory) as session:
            session.execute(insert(Task), chunk)
    for chunk in _batches(activities):
        with transaction(factory) as session:
            session.execute(insert(Activity), chunk)
    # The prospects' task summary, as the task services keep it.
    with transaction(factory) as session:
        summary = (
            select(Task.parent_id, func.count().label("n"), func.min(Task.due_date).label("due"))
            .where(Task.parent_type == "prospect", Task.status.in_(("open", "in_progress")))
            .group_by(Task.parent_id)
            .subquery()
        )
        table = Prospect.__table__
        session.connection().execute(
            update(table)
            .where(table.c.id == summary.c.parent_id)
            .values(open_tasks=summary.c.n, next_task_due=summary.c.due)
        )
    return len(tasks), len(activities)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    started = time.perf_counter()
    converted = convert(engine, rng, now)
    tasks, activities = tasks_and_activities(engine, rng, now)
    with transaction(make_session_factory(engine)) as session:
        compact(session, SourceTally)
        compact(session, OwnerTally)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("prospects", "accounts", "offers", "tasks", "activities", *_TALLIES):
                conn.execute(text(f"VACUUM ANALYZE {table}"))
    else:
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    print(
        f"converted {converted:,} prospects (accounts and offers), {tasks:,} tasks, {activities:,} activities "
        f"in {time.perf_counter() - started:.0f}s"
    )


_TALLIES = ("prospect_source_tallies", "prospect_owner_tallies")

if __name__ == "__main__":
    main()
