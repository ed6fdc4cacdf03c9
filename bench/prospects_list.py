"""Server time of the prospects list (HTML page and JSON) on a seeded database.

    python bench/seed_prospects.py 1000000 --database-url URL   # once
    python bench/prospects_list.py --database-url URL [--runs 9] [--plans plans.txt]

The Flask app runs in-process and is called through its test client, signed
in as the seeded admin; each timing is one whole request (routing, session,
queries, template) with no network. Cases: no filter; status + owner; email
prefix; a deep page (page 5,000, fetched by its cursor). Prints median and
min-max per case, and the query plans (EXPLAIN ANALYZE on PostgreSQL,
EXPLAIN QUERY PLAN on SQLite) of the statements each request ran.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select

from capture.app import create_app
from capture.embedded_redis import EmbeddedRedis
from crm_core.models import Prospect, Status, User
from crm_core.prospects.queries import PAGE_SIZE, Cursor
from crm_core.settings import Settings

ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_PASSWORD = "bench-password-123"  # noqa: S105 - the seeded throwaway benchmark account
DEEP_PAGE = 5_000
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in_client(app: Any, email: str = ADMIN_EMAIL) -> Any:
    """A test client signed in as ``email`` (the seeded admin, or any seeded staff: one password)."""
    client = app.test_client()
    token = _CSRF.search(client.get("/admin/login").get_data(as_text=True))
    assert token, "no CSRF token on the login page"
    response = client.post(
        "/admin/login", data={"email": email, "password": ADMIN_PASSWORD, "csrf_token": token.group(1)}
    )
    if response.status_code != 302:
        raise SystemExit("could not sign in: seed the database with bench/seed_prospects.py first")
    return client


def cases(session: Any) -> tuple[dict[str, dict[str, str]], str]:
    """The query strings to time, plus a note on what the deep page is."""
    in_progress = session.scalar(select(Status.id).where(Status.name == "In progress"))
    owner = session.scalar(select(User.id).where(User.role == "sales").order_by(User.id))
    total = session.scalar(select(func.count()).select_from(Prospect))
    middle, middle_name = session.execute(
        select(Prospect.email, Prospect.name).order_by(Prospect.id).offset(total // 2).limit(1)
    ).one()
    # "madalina.pirvu777@gmail.com" → "madalina.pirvu": every such person's addresses.
    prefix = re.sub(r"\d+$", "", middle.split("@")[0])
    person = middle_name.removeprefix("[Web] ")
    deep_page = min(DEEP_PAGE, max(1, (total - 1) // PAGE_SIZE))
    last_of_previous = session.execute(
        select(Prospect.created_at, Prospect.id)
        .order_by(Prospect.created_at.desc(), Prospect.id.desc())
        .offset((deep_page - 1) * PAGE_SIZE - 1)
        .limit(1)
    ).one()
    cursor = Cursor("-created", last_of_previous.created_at, last_of_previous.id).encode()
    note = f"page {deep_page:,} of {total:,} rows ({PAGE_SIZE} per page)"
    return {
        "no filter": {},
        "status + owner": {"status": str(in_progress), "owner": str(owner)},
        f"email prefix “{prefix}”": {"email": prefix},
        "deep page": {"after": cursor},
        # Not one of the four goals: quick search is a trigram "contains" match.
        f"(extra) quick search “{person}”": {"q": person},
    }, note


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


def _reads_prospects(statement: str) -> bool:
    return "FROM prospects" in statement


class StatementLog:
    """Statements (with parameters) that one request ran, those ``keep`` picks
    (by default the ones that read the prospects table)."""

    def __init__(self, engine: Any, keep: Callable[[str], bool] = _reads_prospects):
        self.engine = engine
        self.keep = keep
        self.statements: list[tuple[str, Any]] = []
        self.recording = False
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if self.recording and self.keep(statement):
            self.statements.append((statement, parameters))

    def capture(self, call: Callable[[], Any]) -> list[tuple[str, Any]]:
        self.statements, self.recording = [], True
        try:
            call()
        finally:
            self.recording = False
        return self.statements

    def plan(self, statement: str, parameters: Any) -> str:
        prefix = (
            "EXPLAIN (ANALYZE, BUFFERS) "
            if self.engine.dialect.name == "postgresql"
            else "EXPLAIN QUERY PLAN "
        )
        with self.engine.connect() as conn:
            rows = conn.exec_driver_sql(prefix + statement, parameters).all()
        if self.engine.dialect.name == "postgresql":
            return "\n".join(row[0] for row in rows)
        return "\n".join(str(row[-1]) for row in rows)


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
            client = signed_in_client(app)
            with app.extensions["lc_db"]() as session:
                queries, note = cases(session)
            log = StatementLog(engine)
            print(
                f"database: {engine.dialect.name}; deep page = {note}; {args.runs} runs after {args.warmup} warm-up"
            )
            print()
            print("| case | page (HTML) median | min-max | JSON median | min-max |")
            print("|---|---|---|---|---|")
            plans: list[str] = []
            for name, params in queries.items():
                query = urlencode(params)
                row = [name]
                for path in ("/admin/", "/admin/prospects.json"):
                    url = f"{path}?{query}" if query else path
                    timings = measure(lambda url=url: client.get(url), args.runs, args.warmup)
                    row += [f"{statistics.median(timings):.1f} ms", f"{min(timings):.1f}-{max(timings):.1f}"]
                print("| " + " | ".join(row) + " |", flush=True)
                url = f"/admin/prospects.json?{query}" if query else "/admin/prospects.json"
                for statement, parameters in log.capture(lambda url=url: client.get(url)):
                    plans.append(
                        f"-- {name}\n{statement}\n{parameters}\n\n{log.plan(statement, parameters)}\n"
                    )
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
