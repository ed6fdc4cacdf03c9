"""Server time of the pages that read a prospect's records (issue 16), against
the plain prospects list in the same run.

    python bench/seed_prospects.py 1000000 --database-url URL   # once
    python bench/seed_related.py --database-url URL             # once
    python bench/related_records.py --database-url URL [--runs 9] [--warmup 2] [--plans plans.txt]

Like ``prospects_list.py``: the Flask app in-process, called through its test
client, each timing one whole request (routing, session, queries, template)
with no network. Cases, each against the seeded busy prospect (5,000 timeline
entries) and busy user (10,000 open tasks; ``seed_related.py``):

- the prospects list with no filter (admin): the baseline;
- the card's first page; the timeline's 50th page by its keyset cursor (what
  "Show older" fetches) and the whole card at that page (the link without
  JavaScript);
- the Tasks page of the busy user, signed in as them, and an admin's
  "everyone's" Tasks page;
- the list filtered to prospects with overdue tasks (``?tasks=overdue``), as
  the admin and as the busy user;
- the navigation's due count (``crm_core.tasks.queries.due_count``), called
  directly: every admin page runs it.

Every round times each case once, in turn, so the host's noise hits all of
them alike; the table gives median and min-max over the rounds, the ratio of
medians to the baseline, and the median time spent in the database driver.
Then the plans: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on
SQLite, of every statement each case ran that read the prospect's records or
the prospects table.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select

from bench.prospects_list import StatementLog, signed_in_client
from bench.seed_related import BUSY_USER_EMAIL
from capture.app import create_app
from capture.embedded_redis import EmbeddedRedis
from crm_core.activities.models import Activity
from crm_core.notes.models import Note
from crm_core.parents import Parent, ParentType
from crm_core.prospects.models import Prospect, ProspectChange
from crm_core.settings import Settings
from crm_core.tasks.models import OPEN_STATUSES, Task
from crm_core.tasks.queries import due_count, tasks_page
from crm_core.timeline import timeline_page
from crm_core.users.models import User

TIMELINE_PAGE = 50
TARGETS = {"card": 100.0, "tasks": 100.0, "overdue": 150.0}  # ms, issue 16
RECORD_TABLES = re.compile(
    r"\b(FROM|JOIN)\s+(prospects|prospect_history|activities|activity_contacts|notes|tasks|contacts)\b"
)


@dataclass
class Case:
    name: str
    call: Callable[[], Any]
    target: str | None = None  # a key of TARGETS
    timings: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    statements: list[int] = field(default_factory=list)


class DriverClock:
    """Time spent in the database driver (execute and fetch of each statement)
    while ``on``: the database's share of a request, seen from the app."""

    def __init__(self, engine: Any) -> None:
        self.on = False
        self.total = 0.0
        self.count = 0
        self._started: list[float] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        if self.on:
            self._started.append(time.perf_counter())

    def _after(self, *_: Any) -> None:
        if self.on and self._started:
            self.total += time.perf_counter() - self._started.pop()
            self.count += 1

    def reset(self) -> None:
        self.total, self.count, self._started = 0.0, 0, []


@dataclass(frozen=True)
class Subjects:
    """What the cases look at, found in the seeded database."""

    busy_user: User
    prospect_id: int
    entries: int
    page_cursor: str
    page_number: int
    heaviest: tuple[int, int]  # a user id and their open tasks
    groups: dict[str, int]  # the busy user's open tasks by Tasks-page group


def find_subjects(session: Any, zone: Any) -> Subjects:
    user = session.scalar(select(User).where(User.email == BUSY_USER_EMAIL))
    if user is None:
        raise SystemExit("no busy user: seed with bench/seed_prospects.py, then bench/seed_related.py")
    own = select(Prospect.id).where(Prospect.owner_id == user.id)
    prospect_id = session.scalar(
        select(Note.parent_id)
        .where(Note.parent_type == ParentType.PROSPECT, Note.parent_id.in_(own))
        .group_by(Note.parent_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    if prospect_id is None:
        raise SystemExit("no related records: run bench/seed_related.py first")
    parent = Parent.prospect(prospect_id)
    entries = sum(
        session.scalar(select(func.count()).select_from(model).where(*where)) or 0
        for model, where in (
            (ProspectChange, [ProspectChange.prospect_id == prospect_id]),
            (Prospect, [Prospect.id == prospect_id, Prospect.submission_id.is_not(None)]),
            (Note, [Note.parent_type == parent.type, Note.parent_id == prospect_id]),
            (Activity, [Activity.parent_type == parent.type, Activity.parent_id == prospect_id]),
            (Task, [Task.parent_type == parent.type, Task.parent_id == prospect_id]),
            (
                Task,
                [
                    Task.parent_type == parent.type,
                    Task.parent_id == prospect_id,
                    Task.completed_at.is_not(None),
                ],
            ),
        )
    )
    # Page 50 by following "Show older" from the first page, as a reader would.
    cursor, number = None, 1
    while number < TIMELINE_PAGE:
        page = timeline_page(session, parent, after=cursor)
        if page.next_cursor is None:
            break
        cursor, number = page.next_cursor, number + 1
    if cursor is None:
        raise SystemExit("the busy prospect's timeline has a single page: seed more records")
    heaviest = session.execute(
        select(Task.owner_id, func.count())
        .where(Task.status.in_(OPEN_STATUSES), Task.owner_id.is_not(None))
        .group_by(Task.owner_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    groups = {g.key: g.total for g in tasks_page(session, [user.id], zone, limit=1)}
    return Subjects(user, prospect_id, entries, cursor, number, (heaviest[0], heaviest[1]), groups)


def build_cases(app: Any, subjects: Subjects) -> list[Case]:
    admin = signed_in_client(app)
    sales = signed_in_client(app, BUSY_USER_EMAIL)
    card = f"/admin/prospects/{subjects.prospect_id}"
    after = urlencode({"after": subjects.page_cursor})
    user_id, heaviest_open = subjects.heaviest
    open_tasks = sum(subjects.groups.values())

    def get(client: Any, url: str) -> Callable[[], Any]:
        return lambda: client.get(url)

    def count_due() -> None:
        with app.extensions["lc_db"]() as session:
            due_count(session, subjects.busy_user, app.config["LC_SETTINGS"].zone)

    return [
        Case("prospects list, no filter (admin): baseline", get(admin, "/admin/")),
        Case(f"card, first page ({subjects.entries:,}-entry timeline)", get(admin, card), "card"),
        Case(
            f"timeline page {subjects.page_number} alone (Show older)", get(admin, f"{card}/timeline?{after}")
        ),
        Case(f"card at timeline page {subjects.page_number}", get(admin, f"{card}?{after}")),
        Case(f"Tasks page, the sales user ({open_tasks:,} open)", get(sales, "/admin/tasks"), "tasks"),
        Case("Tasks page, admin, everyone's", get(admin, "/admin/tasks?owner=all")),
        Case(
            f"(extra) Tasks page, admin, the heaviest user ({heaviest_open:,} open)",
            get(admin, f"/admin/tasks?owner={user_id}"),
        ),
        Case("list ?tasks=overdue (admin)", get(admin, "/admin/?tasks=overdue"), "overdue"),
        Case("list ?tasks=overdue (the sales user)", get(sales, "/admin/?tasks=overdue"), "overdue"),
        Case("(extra) prospects list, no filter (the sales user)", get(sales, "/admin/")),
        Case("navigation due count (the sales user; one query)", count_due),
    ]


def run_rounds(cases: list[Case], clock: DriverClock, runs: int, warmup: int) -> None:
    """Each round calls every case once, in order."""
    for round_no in range(warmup + runs):
        for case in cases:
            clock.reset()
            clock.on = True
            started = time.perf_counter()
            response = case.call()
            elapsed = (time.perf_counter() - started) * 1000
            clock.on = False
            if response is not None:
                assert response.status_code == 200, (case.name, response.status_code)
            if round_no >= warmup:
                case.timings.append(elapsed)
                case.db.append(clock.total * 1000)
                case.statements.append(clock.count)


def _load() -> str:
    """The host's 1, 5 and 15-minute load averages: other tenants share these cores."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _is_read(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH")) and bool(RECORD_TABLES.search(statement))


def _execution_ms(plan: str) -> float | None:
    found = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return float(found[1]) if found else None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--plans", type=Path, help="write the query plans to this file (default: print)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        redis = EmbeddedRedis(Path(tmp)).start()
        try:
            settings = Settings(
                database_url=args.database_url,
                redis_url=redis.url,
                secret_key="bench-secret-key-0123456789abcdefghijklmnop",  # noqa: S106
                environment="test",
            )
            app = create_app(settings)
            engine = app.extensions["lc_engine"]
            with app.extensions["lc_db"]() as session:
                subjects = find_subjects(session, settings.zone)
            cases = build_cases(app, subjects)
            clock = DriverClock(engine)
            log = StatementLog(engine, keep=_is_read)
            groups = ", ".join(f"{k} {v:,}" for k, v in subjects.groups.items())
            print(
                f"database: {engine.dialect.name}; busy prospect #{subjects.prospect_id} "
                f"({subjects.entries:,} timeline entries); {BUSY_USER_EMAIL} (#{subjects.busy_user.id}) "
                f"open tasks: {groups}; {args.runs} rounds after {args.warmup} warm-up"
            )
            print(f"load average at the start: {_load()}")
            run_rounds(cases, clock, args.runs, args.warmup)
            print(f"load average at the end: {_load()}")
            baseline = statistics.median(cases[0].timings)
            print()
            print("| case | median | min-max | x list | in the driver (median) | statements | target |")
            print("|---|---|---|---|---|---|---|")
            for case in cases:
                median = statistics.median(case.timings)
                target = ""
                if case.target:
                    limit = TARGETS[case.target]
                    target = f"<= {limit:.0f} ms: {'met' if median <= limit else '**missed**'}"
                print(
                    f"| {case.name} | {median:.1f} ms | {min(case.timings):.1f}-{max(case.timings):.1f} "
                    f"| {median / baseline:.2f}x | {statistics.median(case.db):.1f} ms "
                    f"| {statistics.median(case.statements):.0f} | {target} |",
                    flush=True,
                )
            plans: list[str] = []
            seen: dict[str, str] = {}
            summary: list[str] = []
            for case in cases:
                total, count = 0.0, 0
                for statement, parameters in log.capture(case.call):
                    key = f"{statement}\n{parameters}"
                    if key in seen:
                        plans.append(f"-- {case.name}: the statement planned under “{seen[key]}”\n")
                        continue
                    seen[key] = case.name
                    plan = log.plan(statement, parameters)
                    total += _execution_ms(plan) or 0.0
                    count += 1
                    plans.append(f"-- {case.name}\n{statement}\n{parameters}\n\n{plan}\n")
                if engine.dialect.name == "postgresql":
                    summary.append(f"| {case.name} | {count} | {total:.2f} ms |")
            if summary:
                print("\nExecution time of the statements first planned under each case (EXPLAIN ANALYZE):\n")
                print("| case | statements | execution, summed |")
                print("|---|---|---|")
                print("\n".join(summary))
            text = "\n".join(plans)
            if args.plans:
                args.plans.write_text(text)
                print(f"\nplans written to {args.plans}")
            else:
                print("\n" + text)
            app.extensions["lc_redis"].close()
            engine.dispose()
        finally:
            redis.stop()


if __name__ == "__main__":
    main()
