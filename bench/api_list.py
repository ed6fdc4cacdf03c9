"""Server time of the REST API's prospects list (``GET /api/v1/prospects``)
against the admin's list page, in the same run, on a seeded database.

    python bench/seed_prospects.py 1000000 --database-url URL   # once
    python bench/api_list.py --database-url URL [--runs 9]
    python bench/api_list.py --quick        # smoke: seeds 500 rows in a temporary SQLite file

The Flask app runs in-process and is called through its test client: the API
with a personal token of the seeded admin (token check, rate limit in the
embedded Redis, last-used time, the list query, the JSON answer), the admin
page signed in as the same admin (session, list query, count, template).
Each timing is one whole request with no network. Cases: the first page, and
a deep page (page 5,000 by the list's keyset cursor); 50 rows a page, as in
the admin. Prints median and min-max per case, and API / admin page.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prospects_list import ADMIN_EMAIL, measure, signed_in_client  # type: ignore[import-not-found]
from sqlalchemy import func, select

from capture.app import create_app
from capture.embedded_redis import EmbeddedRedis
from crm_core.api_tokens.services import create_token
from crm_core.db import transaction
from crm_core.models import Prospect, User
from crm_core.prospects.queries import PAGE_SIZE, Cursor
from crm_core.settings import Settings

DEEP_PAGE = 5_000
TARGET_MS = 100.0


def deep_cursor(session: Any) -> tuple[str, str]:
    total = session.scalar(select(func.count()).select_from(Prospect))
    page = min(DEEP_PAGE, max(1, (total - 1) // PAGE_SIZE))
    last_of_previous = session.execute(
        select(Prospect.created_at, Prospect.id)
        .where(Prospect.converted_at.is_(None))
        .order_by(Prospect.created_at.desc(), Prospect.id.desc())
        .offset((page - 1) * PAGE_SIZE - 1 if page > 1 else 0)
        .limit(1)
    ).one()
    cursor = Cursor("-created", last_of_previous.created_at, last_of_previous.id).encode()
    return cursor, f"page {page:,} of {total:,} rows ({PAGE_SIZE} per page)"


def run(database_url: str, runs: int, warmup: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        redis = EmbeddedRedis(Path(tmp)).start()
        try:
            settings = Settings(
                database_url=database_url,
                redis_url=redis.url,
                secret_key="bench-secret-key-0123456789abcdefghijklmnop",  # noqa: S106
                environment="test",
                api_rate_limit="100000000/60",
            )
            app = create_app(settings)
            factory = app.extensions["lc_db"]
            with transaction(factory) as session:
                admin = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
                if admin is None:
                    raise SystemExit("seed the database with bench/seed_prospects.py first")
                token = create_token(
                    session, admin, {"name": "bench", "scopes": "read", "expires_in_days": 7}
                )
                cursor, note = deep_cursor(session)
            admin_client = signed_in_client(app)
            api_client = app.test_client()
            headers = {"Authorization": f"Bearer {token.secret}"}
            engine = app.extensions["lc_engine"]
            print(f"database: {engine.dialect.name}; deep page = {note}; {runs} runs after {warmup} warm-up")
            print()
            print("| case | API median | min-max | admin page median | min-max | API / admin page |")
            print("|---|---|---|---|---|---|")
            worst = 0.0
            for name, query in (("first page", ""), ("deep page", f"after={cursor}")):
                api_url = f"/api/v1/prospects?{query}" if query else "/api/v1/prospects"
                admin_url = f"/admin/?{query}" if query else "/admin/"
                api_times = measure(lambda url=api_url: api_client.get(url, headers=headers), runs, warmup)
                admin_times = measure(lambda url=admin_url: admin_client.get(url), runs, warmup)
                api_median, admin_median = statistics.median(api_times), statistics.median(admin_times)
                worst = max(worst, api_median)
                print(
                    f"| {name} | {api_median:.1f} ms | {min(api_times):.1f}-{max(api_times):.1f} | "
                    f"{admin_median:.1f} ms | {min(admin_times):.1f}-{max(admin_times):.1f} | "
                    f"{api_median / admin_median:.2f}x |",
                    flush=True,
                )
            rows = len(api_client.get(f"/api/v1/prospects?{query}", headers=headers).get_json()["items"])
            print()
            print(f"API pages of {rows} rows; slowest median {worst:.1f} ms (target <= {TARGET_MS:.0f} ms)")
            app.extensions["lc_redis"].close()
            engine.dispose()
        finally:
            redis.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument(
        "--quick", action="store_true", help="seed 500 rows in a temporary SQLite file, 1 run"
    )
    args = parser.parse_args(argv)
    if args.quick:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'api_list.db'}"
            seeder = Path(__file__).resolve().parent / "seed_prospects.py"
            subprocess.run([sys.executable, str(seeder), "500", "--database-url", url], check=True)
            run(url, runs=1, warmup=0)
        return
    if not args.database_url:
        parser.error("--database-url is required (or --quick)")
    run(args.database_url, args.runs, args.warmup)


if __name__ == "__main__":
    main()
