"""What the tallies' triggers cost every write to ``prospects``.

    python bench/tally_writes.py                 # PostgreSQL (BENCH_POSTGRES_URL), 40 batches x 100, 2,000 updates
    python bench/tally_writes.py --quick         # SQLite, small: a smoke run

In a throw-away database, the same work with the triggers (migration 0007)
and without them (dropped for the run), taking turns so host noise hits both:
inserts in batches of 100 rows in one transaction each (what the worker does
with a batch of submissions), and one-row status changes in a transaction
each (what a board move does). Prints the median per row and the difference.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import services  # bench/, beside this script
from sqlalchemy import create_engine, insert, select, text, update

from crm_core.models import Prospect, Source, Status

TRIGGERS = ("prospects_tally_insert", "prospects_tally_delete", "prospects_tally_update")


def _trigger_sql(engine: object, name: str) -> str:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        if conn.dialect.name == "postgresql":
            return conn.scalar(
                text("SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = :n"), {"n": name}
            )
        return conn.scalar(
            text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :n"), {"n": name}
        )


def _set_triggers(engine: object, on: bool, saved: dict[str, str]) -> None:
    with engine.begin() as conn:  # type: ignore[attr-defined]
        for name in TRIGGERS:
            if on:
                conn.exec_driver_sql(saved[name])
            elif conn.dialect.name == "postgresql":
                conn.exec_driver_sql(f"DROP TRIGGER {name} ON prospects")
            else:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")


def _rows(n: int, start: int, ids: dict[str, int]) -> list[dict[str, object]]:
    now = datetime.now(UTC)
    return [
        {
            "name": f"[Web] Visitor {start + i}",
            "status_id": ids["status"],
            "source_id": ids["source"],
            "created_at": now - timedelta(seconds=i),
            "updated_at": now,
            "search_text": f"visitor{start + i}@example.com",
            "attribution": {},
            "custom_fields": {},
        }
        for i in range(n)
    ]


def measure(url: str, batches: int, updates: int, rounds: int) -> None:
    engine = create_engine(url)
    saved = {name: _trigger_sql(engine, name) for name in TRIGGERS}
    with engine.connect() as conn:
        ids = {
            "status": conn.scalar(select(Status.id).order_by(Status.position)),
            "other": conn.scalar(select(Status.id).order_by(Status.position.desc())),
            "source": conn.scalar(select(Source.id)),
        }
    results: dict[tuple[str, bool], list[float]] = {}
    counter = 0
    for round_number in range(rounds):
        for on in (True, False) if round_number % 2 == 0 else (False, True):
            if not on:
                _set_triggers(engine, False, saved)
            started = time.perf_counter()
            for _ in range(batches):
                with engine.begin() as conn:
                    conn.execute(insert(Prospect.__table__), _rows(100, counter, ids))
                counter += 100
            per_row = (time.perf_counter() - started) / (batches * 100) * 1e6
            results.setdefault(("insert", on), []).append(per_row)
            with engine.connect() as conn:
                targets = list(conn.scalars(select(Prospect.id).order_by(Prospect.id.desc()).limit(updates)))
            started = time.perf_counter()
            for number, prospect_id in enumerate(targets):
                with engine.begin() as conn:
                    conn.execute(
                        update(Prospect.__table__)
                        .where(Prospect.__table__.c.id == prospect_id)
                        .values(status_id=ids["other"] if number % 2 else ids["status"])
                    )
            results.setdefault(("update", on), []).append(
                (time.perf_counter() - started) / len(targets) * 1e6
            )
            if not on:
                _set_triggers(engine, True, saved)
    engine.dispose()
    print(
        f"database: {engine.dialect.name}; {rounds} rounds of {batches} x 100-row inserts and {updates} updates each"
    )
    print()
    print("| write | with triggers | without | difference |")
    print("|---|---|---|---|")
    for kind, label in (
        ("insert", "insert, per row (batches of 100)"),
        ("update", "status change, one row a transaction"),
    ):
        with_, without = statistics.median(results[(kind, True)]), statistics.median(results[(kind, False)])
        print(
            f"| {label} | {with_:.1f} µs | {without:.1f} µs | {with_ - without:+.1f} µs ({with_ / without - 1:+.0%}) |"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="SQLite, 4 batches, 50 updates, 2 rounds")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        kind = "sqlite" if args.quick else "postgres"
        with services.database(kind, Path(tmp), "lc_tally_writes") as url:
            if args.quick:
                measure(url, 4, 50, 2)
            else:
                measure(url, 40, 2000, args.rounds)


if __name__ == "__main__":
    main()
