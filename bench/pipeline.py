"""Server time of the board, the six reports over 12 months and the home page,
against the plain prospects list page measured in the same run.

    python bench/seed_prospects.py 1000000 --database-url URL      # once
    python bench/seed_pipeline.py --database-url URL               # once: conversions, offers, tasks, activities
    python bench/pipeline.py --database-url URL [--runs 9] [--plans plans.txt]
    python bench/pipeline.py --quick                                # smoke: 2,000 prospects on SQLite, 1 run

Like ``prospects_list.py``: the Flask app runs in-process behind its test
client, signed in (the bench admin, or a sales owner for the "as sales"
rows); each timing is one whole request (routing, session, queries,
template). The instance's time zone is Europe/Bucharest, so report periods
start at local midnight and the tallies' cut days are exercised. Prints
median and min-max per page, the ratio to the list page's median, the target,
and for every page over its target (or over ``--plans-over`` ms) the statements
it ran with their plans
(EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite), slowest first.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import seed_pipeline  # bench/, beside this script
import seed_prospects
from sqlalchemy import event, select

from capture.app import create_app
from capture.embedded_redis import EmbeddedRedis
from crm_core.models import Source, User
from crm_core.settings import Settings

ADMIN_EMAIL = "bench-admin@example.com"
PASSWORD = "bench-password-123"  # noqa: S105 - the seeded throwaway benchmark account
ZONE = "Europe/Bucharest"
QUICK_SIZE = 2_000
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

REPORTS = ("leads-weekly", "leads-monthly", "funnel", "forms", "owners", "traceability")
TARGETS = {"board": 150.0, "report": 300.0, "home": 150.0}


def signed_in_client(app: Any, email: str) -> Any:
    client = app.test_client()
    token = _CSRF.search(client.get("/admin/login").get_data(as_text=True))
    assert token, "no CSRF token on the login page"
    response = client.post(
        "/admin/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    if response.status_code != 302:
        raise SystemExit(
            "could not sign in: seed with bench/seed_prospects.py and bench/seed_pipeline.py first"
        )
    return client


def cases(today: date, owner: int, source: int) -> list[tuple[str, str, str, str | None]]:
    """(name, who, path, target kind): the list first, as the baseline."""
    start = today.replace(day=1) - timedelta(days=1)
    start = date(
        start.year - 1 + (start.month == 12), start.month % 12 + 1, 1
    )  # twelve months back, from the 1st
    window = f"start={start.isoformat()}&end={today.isoformat()}"
    found: list[tuple[str, str, str, str | None]] = [
        ("prospects list (baseline)", "admin", "/admin/", None),
        ("board", "admin", "/admin/board", "board"),
        ("board as sales", "sales", "/admin/board", "board"),
        ("board, owner + source filter", "admin", f"/admin/board?owner={owner}&source={source}", "board"),
        ("offers board", "admin", "/admin/board/offers", "board"),
        ("home", "admin", "/admin/home", "home"),
        ("home as sales", "sales", "/admin/home", "home"),
    ]
    found += [(f"report {slug}", "admin", f"/admin/reports/{slug}?{window}", "report") for slug in REPORTS]
    found += [("report leads-weekly as sales", "sales", f"/admin/reports/leads-weekly?{window}", "report")]
    found += [
        (
            "(extra) report leads-weekly, source + owner filter",
            "admin",
            f"/admin/reports/leads-weekly?{window}&owner={owner}&source={source}",
            None,
        )
    ]
    return found


def measure(call: Callable[[], Any], runs: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = call()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return timings


class StatementTimer:
    """Every statement one request ran, with its own time."""

    def __init__(self, engine: Any):
        self.engine = engine
        self.recording = False
        self.statements: list[tuple[float, str, Any]] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        conn.info["lc_started"] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if self.recording:
            took = (time.perf_counter() - conn.info.pop("lc_started", time.perf_counter())) * 1000
            self.statements.append((took, statement, parameters))

    def capture(self, call: Callable[[], Any]) -> list[tuple[float, str, Any]]:
        self.statements, self.recording = [], True
        try:
            call()
        finally:
            self.recording = False
        return sorted(self.statements, key=lambda item: -item[0])

    def plan(self, statement: str, parameters: Any) -> str:
        postgres = self.engine.dialect.name == "postgresql"
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        return "\n".join(str(row[0] if postgres else row[-1]) for row in rows)


def run(
    database_url: str, runs: int, warmup: int, plans_to: Path | None, plans_over: float | None = None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        redis = EmbeddedRedis(Path(tmp)).start()
        try:
            settings = Settings(
                database_url=database_url,
                redis_url=redis.url,
                secret_key="bench-secret-key-0123456789abcdefghijklmnop",  # noqa: S106
                environment="test",
                time_zone=ZONE,
            )
            app = create_app(settings)
            engine = app.extensions["lc_engine"]
            with app.extensions["lc_db"]() as session:
                sales_id, sales = session.execute(
                    select(User.id, User.email).where(User.role == "sales").order_by(User.id).limit(1)
                ).one()
                web = session.scalar(select(Source.id).where(Source.name == "Web form"))
            clients = {"admin": signed_in_client(app, ADMIN_EMAIL), "sales": signed_in_client(app, sales)}
            timer = StatementTimer(engine)
            print(f"database: {engine.dialect.name}; time zone {ZONE}; {runs} runs after {warmup} warm-up")
            print()
            print("| page | median | min-max | / list page | target | |")
            print("|---|---|---|---|---|---|")
            baseline = None
            slow: list[str] = []
            for name, who, path, target in cases(datetime.now(ZoneInfo(ZONE)).date(), sales_id, web or 0):
                client = clients[who]
                timings = measure(lambda client=client, path=path: client.get(path), runs, warmup)
                median = statistics.median(timings)
                baseline = baseline or median
                goal = TARGETS.get(target or "")
                verdict = "" if goal is None else ("met" if median <= goal else "**missed**")
                print(
                    f"| {name} | {median:.1f} ms | {min(timings):.1f}-{max(timings):.1f} | {median / baseline:.2f}x "
                    f"| {f'<= {goal:.0f} ms' if goal else ''} | {verdict} |",
                    flush=True,
                )
                threshold = plans_over if plans_over is not None else goal
                if threshold is not None and median > threshold:
                    slow.append(
                        _plans(name, timer.capture(lambda client=client, path=path: client.get(path)), timer)
                    )
            text = "\n".join(slow) if slow else "no page over the threshold: no plans to show"
            if plans_to:
                plans_to.write_text(text)
                print(f"\nplans of the slow pages written to {plans_to}")
            else:
                print("\n" + text)
            app.extensions["lc_redis"].close()
            engine.dispose()
        finally:
            redis.stop()


def _plans(name: str, statements: list[tuple[float, str, Any]], timer: StatementTimer) -> str:
    lines = [
        f"## {name}: {len(statements)} statements, {sum(s[0] for s in statements):.1f} ms in the database"
    ]
    for took, statement, parameters in statements[:4]:
        if took < 5 and statement is not statements[0][1]:
            break
        lines.append(f"-- {took:.1f} ms\n{statement}\n{parameters}\n\n{timer.plan(statement, parameters)}\n")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--plans", type=Path, help="write the plans to this file (default: print)")
    parser.add_argument(
        "--plans-over",
        type=float,
        help="show the plans of every page slower than this many ms (default: its target)",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"seed {QUICK_SIZE:,} prospects on SQLite, 1 run"
    )
    args = parser.parse_args(argv)
    if args.quick:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'pipeline.db'}"
            seed_prospects.main([str(QUICK_SIZE), "--database-url", url])
            seed_pipeline.main(["--database-url", url])
            print("(smoke size: one run after one warm-up, on SQLite; not figures to judge the targets by)")
            run(url, 1, 1, args.plans, args.plans_over)
        return
    if not args.database_url:
        parser.error("--database-url is required (or --quick)")
    run(args.database_url, args.runs, args.warmup, args.plans, args.plans_over)


if __name__ == "__main__":
    main()
