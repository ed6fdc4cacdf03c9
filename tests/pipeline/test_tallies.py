"""The running tallies agree with counting every prospect — after web intake
(a retried job included), edits, bulk changes, conversion, deletes, in any
time zone, before and after their rows are merged — and the migration counts
the prospects already there."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rq import Queue
from rq.job import Job
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.migrate import upgrade
from crm_core.models import Prospect, Status, User
from crm_core.prospects.services import bulk_delete, bulk_update, create_prospect
from crm_core.reports.models import OwnerTally, SourceTally
from crm_core.reports.periods import DateRange, Grain
from crm_core.reports.tallies import (
    Filters,
    _add_from_prospects,
    compact,
    counts_by,
    counts_by_period,
    rebuild,
)
from worker.queues import SUBMISSIONS

EVERYONE = Filters({})


def truth(db: Session, *columns: str) -> Counter[tuple[object, ...]]:
    """The counts straight from the prospects table."""
    cols = [
        Prospect.converted_at.is_not(None) if c == "converted" else getattr(Prospect, f"{c}_id")
        for c in columns
    ]
    db.expire_all()
    return Counter(
        {tuple(row[:-1]): row[-1] for row in db.execute(select(*cols, func.count()).group_by(*cols))}
    )


def tallied(db: Session, *columns: str) -> Counter[tuple[object, ...]]:
    return Counter({key: n for key, n in counts_by(db, columns, EVERYONE).items()})


def agree(db: Session) -> None:
    for columns in (("status", "source", "form", "converted"), ("owner", "status", "converted"), ("status",)):
        assert tallied(db, *columns) == truth(db, *columns), columns


def test_every_kind_of_change_is_counted(
    db, session_factory, add_prospect, list_ids, staff, make_form
) -> None:
    form_id = make_form()["form_id"]
    admin = db.get(User, staff["admin"].id)
    ids = [add_prospect(form_id=form_id if n % 2 else None, owner_id=staff["sales"].id) for n in range(6)]
    agree(db)
    with transaction(session_factory) as session:
        editor = session.get(User, staff["admin"].id)
        create_prospect(session, editor, {"name": "By hand", "status_id": str(list_ids["Qualified"])})
        bulk_update(session, editor, ids[:3], "status_id", list_ids["In progress"])
        bulk_update(session, editor, ids[2:4], "owner_id", staff["sales2"].id)
        bulk_delete(session, editor, ids[4:5])
        # Convert and allocate stamp converted_at; a later fix-up moves the day.
        session.execute(update(Prospect).where(Prospect.id == ids[0]).values(converted_at=datetime.now(UTC)))
        session.execute(
            update(Prospect).where(Prospect.id == ids[1]).values(created_at=datetime(2025, 1, 1, tzinfo=UTC))
        )
    agree(db)
    assert (
        db.scalar(select(func.count()).select_from(SourceTally).where(SourceTally.compacted.is_(False))) > 0
    )
    compact(db, SourceTally)
    compact(db, OwnerTally)
    db.commit()
    assert (
        db.scalar(select(func.count()).select_from(SourceTally).where(SourceTally.compacted.is_(False))) == 0
    )
    agree(db)
    rebuild(db)
    db.commit()
    agree(db)
    del admin


def test_web_intake_and_a_retried_job_count_once(client, make_form, drain, redis, db) -> None:
    form = make_form()
    headers = {"Origin": "https://example.com", "Accept": "application/json"}
    ids = [
        client.post(
            f"/f/{form['key']}", data={"name": f"V{n}", "email": f"v{n}@example.com"}, headers=headers
        ).json["id"]
        for n in range(3)
    ]
    assert drain() == 3
    Queue(SUBMISSIONS, connection=redis, serializer="json").enqueue_job(
        Job.fetch(ids[0], connection=redis, serializer="json")
    )
    assert drain() == 1  # ran again, inserted nothing
    assert sum(tallied(db, "form").values()) == 3
    agree(db)


@pytest.mark.parametrize("zone", ["Europe/Bucharest", "Asia/Kathmandu", "America/St_Johns", "UTC"])
def test_periods_from_tallies_equal_counting_every_prospect(db, session_factory, list_ids, zone: str) -> None:
    """Local midnights at odd UTC minutes (+5:45, -3:30) and daylight-saving days."""
    rng = random.Random(zone)
    start = datetime(2026, 2, 20, tzinfo=UTC)
    with transaction(session_factory) as session:
        session.add_all(
            Prospect(
                name=f"P{n}",
                status_id=rng.choice([list_ids["New"], list_ids["Qualified"]]),
                source_id=rng.choice([list_ids["Web form"], list_ids["Phone"]]),
                created_at=start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60)),
                search_text="",
            )
            for n in range(400)
        )
    span = DateRange(date(2026, 2, 23), date(2026, 4, 12), ZoneInfo(zone))
    for grain in (Grain.WEEK, Grain.MONTH):
        bounds = span.boundaries(grain)
        fast = counts_by_period(db, bounds, span.utc_end, ("status", "source"), EVERYONE)
        slow: defaultdict[tuple[object, ...], int] = defaultdict(int)
        _add_from_prospects(
            db, slow, [(bounds[0], span.utc_end)], bounds, ("status", "source"), EVERYONE, _dialect(db)
        )
        assert fast == {k: v for k, v in slow.items() if v}, grain
        assert sum(fast.values()) == db.scalar(
            select(func.count()).where(Prospect.created_at >= bounds[0], Prospect.created_at < span.utc_end)
        )


def _dialect(db: Session) -> str:
    return db.get_bind().dialect.name


def test_the_triggers_are_in_place_at_head(database_url: str) -> None:
    """A later migration that rebuilds ``prospects`` on SQLite (batch mode) drops
    its triggers; this says so before the tallies drift."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            names = conn.scalars(
                text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'prospects'::regclass")
            ).all()
        else:
            names = conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).all()
    engine.dispose()
    assert {"prospects_tally_insert", "prospects_tally_delete", "prospects_tally_update"} <= set(names)


def test_migration_0007_counts_existing_prospects_and_sets_board_columns(fresh_database_url: str) -> None:
    upgrade(fresh_database_url, "0006")
    engine = create_engine(fresh_database_url)
    with engine.begin() as conn:
        for position, (name, kind) in enumerate(
            [("New", "open"), ("Won", "converted"), ("Spam", "junk"), ("Hot", "qualified")]
        ):
            conn.execute(
                text(
                    "INSERT INTO statuses (name, color, position, kind, is_default) "
                    "VALUES (:name, '#000000', :position, :kind, false)"
                ),
                {"name": name, "position": position, "kind": kind},
            )
        status = dict(conn.execute(text("SELECT name, id FROM statuses")).all())
        for n, (name, day) in enumerate([("New", 1), ("New", 1), ("Hot", 2), ("Spam", 2), ("Won", 3)]):
            conn.execute(
                text(
                    "INSERT INTO prospects (name, status_id, company, trade_register_no, registration_code, address,"
                    " postal_code, city, county, country, phone, email, description, page_url, referrer,"
                    " attribution, custom_fields, consent_given, consent_text, open_tasks, created_at, updated_at,"
                    " converted_at) VALUES (:name, :status, '', '', '', '', '', '', '', '', '', '', '', '', '',"
                    " '{}', '{}', false, '', 0, :created, :created, :converted)"
                ),
                {
                    "name": f"P{n}",
                    "status": status[name],
                    "created": datetime(2026, 1, day, 23, 30, tzinfo=UTC),
                    "converted": datetime(2026, 2, 1, tzinfo=UTC) if name == "Won" else None,
                },
            )
    engine.dispose()
    upgrade(fresh_database_url)
    factory = sessionmaker(create_engine(fresh_database_url))
    with factory() as db:
        assert {s.name: s.on_board for s in db.scalars(select(Status))} == {
            "New": True,
            "Won": False,
            "Spam": False,
            "Hot": True,
        }
        agree(db)
        # The prospects keep their statuses (a batch copy of "statuses" would have emptied them).
        assert truth(db, "status") == Counter(
            {(status["New"],): 2, (status["Hot"],): 1, (status["Spam"],): 1, (status["Won"],): 1}
        )
        assert counts_by(db, ("status", "converted"), EVERYONE)[(status["Won"], True)] == 1
        # From now on the triggers count.
        db.add(Prospect(name="After", status_id=status["Hot"], search_text=""))
        db.commit()
        agree(db)
    factory.kw["bind"].dispose()


def test_a_reader_merges_the_appended_rows_for_good(as_user, add_prospect, list_ids, db, monkeypatch) -> None:
    """The board is a GET whose session is never committed: the merge it starts
    must still stay (else every reader would redo it)."""
    from crm_core.reports import tallies

    monkeypatch.setattr(tallies, "COMPACT_AFTER", 3)
    for _ in range(6):
        add_prospect()
    fresh = select(func.count()).select_from(SourceTally).where(SourceTally.compacted.is_(False))
    assert db.scalar(fresh) == 6
    assert as_user("admin").get("/admin/board").status_code == 200
    db.expire_all()
    db.rollback()
    assert db.scalar(fresh) == 0
    agree(db)
