"""Seed the records that hang off prospects, for the related-records benchmark.

    python bench/seed_prospects.py 1000000 --database-url URL   # first: staff, forms, prospects
    python bench/seed_related.py --database-url URL             # then: this
    python bench/seed_related.py --database-url URL --quick     # small counts (the smoke test)

Full size (issue 16's figures): 2,000,000 activities and 1,000,000 notes,
500,000 open and 500,000 closed tasks, 500,000 history entries, contacts on a
third of the prospects. Two records stand out, for the benchmark to time:

- **The busy prospect**: one prospect of ``sales1@example.com`` whose timeline
  holds exactly 5,000 entries (history, notes, activities, tasks created and
  completed, and its capture when it came from a form).
- **The busy user**: ``sales1@example.com`` with exactly 10,000 open tasks,
  spread over overdue / today / upcoming / no date: most on their own
  prospects, some delegated on colleagues' prospects, some independent.

The rest is spread at random: each record picks its prospect uniformly (so a
prospect has about two activities, one note and half an open task), is dated
between the prospect's creation and now (most soon after it), and belongs to
the prospect's owner (a few tasks delegated to a colleague). Open tasks are 30 %
overdue, 3 % due today, 50 % upcoming, 17 % without a date.

The prospects' summary columns (``open_tasks``, ``next_task_due``,
``last_activity_at``) are then set from the seeded rows by the same aggregates
the task and activity services use, and checked. PostgreSQL loads with COPY
(one connection per table, explicit ids) with secondary indexes built
afterwards; SQLite gets batched inserts. Deterministic (``--seed``) for a
given prospects table; "today" is the day it runs (UTC).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from abc import ABC, abstractmethod
from array import array
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Connection, Engine, insert, select, text

from crm_core.activities.models import Activity, activity_contacts
from crm_core.contacts.models import Contact
from crm_core.db import make_engine
from crm_core.lists.models import Priority, Status
from crm_core.notes.models import Note
from crm_core.prospects.models import Prospect, ProspectChange
from crm_core.tasks.models import Task
from crm_core.users.models import User

BUSY_USER_EMAIL = "sales1@example.com"
TABLES = ("prospect_history", "contacts", "activities", "activity_contacts", "notes", "tasks")
OPEN = ("open", "in_progress")


@dataclass(frozen=True)
class Counts:
    activities: int
    notes: int
    open_tasks: int
    closed_tasks: int
    history: int
    timeline: int  # entries on the busy prospect's timeline
    user_open_tasks: int  # open tasks of the busy user


FULL = Counts(2_000_000, 1_000_000, 500_000, 500_000, 500_000, 5_000, 10_000)
QUICK = Counts(2_000, 1_000, 600, 400, 300, 400, 200)


def _columns(names: str) -> tuple[str, ...]:
    return tuple(names.split())


COLUMNS: dict[str, tuple[str, ...]] = {
    "prospect_history": ("id", "prospect_id", "user_id", "action", "changes", "created_at"),
    "contacts": _columns(
        "id name job_title department phone email is_primary created_by_id created_at updated_at "
        "parent_type parent_id"
    ),
    "activities": _columns(
        "id kind subject starts_at ends_at status direction owner_id outcome created_by_id created_at "
        "updated_at parent_type parent_id"
    ),
    "activity_contacts": ("activity_id", "contact_id"),
    "notes": ("id", "body", "author_id", "created_at", "updated_at", "parent_type", "parent_id"),
    "tasks": _columns(
        "id parent_type parent_id name description start_date due_date due_time priority_id owner_id "
        "status completed_at template_id created_by_id created_at updated_at"
    ),
}
MODELS: dict[str, Any] = {
    "prospect_history": ProspectChange.__table__,
    "contacts": Contact.__table__,
    "activities": Activity.__table__,
    "activity_contacts": activity_contacts,
    "notes": Note.__table__,
    "tasks": Task.__table__,
}

TASK_NAMES = [
    "Call back",
    "Send the offer",
    "Pirmas skambutis",
    "Trimite oferta de preț",
    "Relancer le client",
    "Prepare the contract",
    "Sună pentru feedback",
    "Išsiųsti sąskaitą",
    "Confirmer le rendez-vous",
    "Check the payment",
]
SUBJECTS = {
    "call": ["Call", "Follow-up call", "Discovery call", "Apel de calificare", "Skambutis dėl pasiūlymo"],
    "email": ["Offer e-mail", "Prices", "Devis envoyé", "Ofertă trimisă"],
    "meeting": ["Demo", "Meeting at their office", "Întâlnire la sediu", "Rendez-vous commercial"],
}
OUTCOMES = [
    "",
    "Interested; wants the offer by Friday.",
    "No answer, left a voicemail.",
    "Discutat prețurile, revine săptămâna viitoare.",
    "Susitarta dėl demonstracijos.",
    "Le client compare avec deux concurrents.",
]
NOTES = [
    "Prefers to be called after 14:00.",
    "Budget approved for Q3.\nDecision maker: the financial director.",
    "A cerut oferta în lei, cu TVA inclus. Detalii: https://example.com/oferta?id=42",
    "Klientas nori išankstinės sąskaitos.\nPristatymas į Kauną.",
    "Rappeler après les vacances; intéressée par la formule « Pro ».",
    "Met at the trade fair; see the brochure at https://example.com/brochure.pdf",
]
CONTACT_NAMES = ["Ana Popescu", "Mihai Ionescu", "Rūta Kazlauskienė", "Jonas Petrauskas", "Élodie Martin"]
JOB_TITLES = ["Director general", "Achiziții", "Office manager", "Directrice commerciale", "Vadybininkas"]


@dataclass
class World:
    """What the seeding reads from the database and derives before writing."""

    now: datetime
    today: date
    admin: int
    marketing: int
    sales: list[int]
    busy_user: int
    priorities: list[int]
    statuses: list[str]
    ids: array[int]  # prospect ids, in id order
    owners: array[int]  # their owners (0: nobody)
    created: array[float]  # their creation, epoch seconds
    captured: bytearray  # 1 when a web form captured it (a "captured" timeline entry)
    busy: int  # index of the busy prospect

    def moment(self, i: int, rng: random.Random, skew: float = 2.0) -> datetime:
        """A moment between prospect ``i``'s creation and now, most soon after its creation."""
        start = self.created[i]
        span = self.now.timestamp() - start
        return datetime.fromtimestamp(start + span * rng.random() ** skew, UTC)

    @property
    def colleagues(self) -> list[int]:
        """Sales users other than the busy one."""
        return [u for u in self.sales if u != self.busy_user]

    def owner_or(self, i: int, fallback: int) -> int:
        return self.owners[i] or fallback


def load_world(conn: Connection) -> World:
    users = {row.email: row for row in conn.execute(select(User.id, User.email, User.role))}
    if BUSY_USER_EMAIL not in users:
        raise SystemExit("no seeded staff: run bench/seed_prospects.py on this database first")
    admin = next(u.id for u in users.values() if u.role == "admin")
    marketing = next((u.id for u in users.values() if u.role == "marketing"), admin)
    sales = sorted(u.id for u in users.values() if u.role == "sales")
    busy_user = users[BUSY_USER_EMAIL].id
    ids, owners, created, captured = array("l"), array("l"), array("d"), bytearray()
    rows = conn.execute(
        select(Prospect.id, Prospect.owner_id, Prospect.created_at, Prospect.submission_id).order_by(
            Prospect.id
        )
    )
    for row in rows:
        ids.append(row.id)
        owners.append(row.owner_id or 0)
        at = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        created.append(at.timestamp())
        captured.append(row.submission_id is not None)
    if not ids:
        raise SystemExit("no prospects: run bench/seed_prospects.py on this database first")
    now = datetime.now(UTC)
    # The busy prospect: the busy user's oldest, so its 5,000 entries spread over a long life.
    own = [i for i in range(len(ids)) if owners[i] == busy_user]
    if not own:
        raise SystemExit(f"{BUSY_USER_EMAIL} owns no prospect: seed more prospects")
    busy = min(own, key=lambda i: created[i])
    return World(
        now=now,
        today=now.date(),
        admin=admin,
        marketing=marketing,
        sales=sales,
        busy_user=busy_user,
        priorities=list(conn.scalars(select(Priority.id).order_by(Priority.position))),
        statuses=list(conn.scalars(select(Status.name).order_by(Status.position))),
        ids=ids,
        owners=owners,
        created=created,
        captured=captured,
        busy=busy,
    )


@dataclass
class Plan:
    """How many records of each kind each prospect gets (by index), and the busy prospect's share."""

    history: array[int]
    activities: array[int]
    notes: array[int]
    open_tasks: array[int]  # owned by the prospect's owner (or a colleague)
    busy_user_tasks: array[int]  # owned by the busy user
    closed_tasks: array[int]
    busy: dict[str, int]
    independent_open: int  # open tasks on no record, not the busy user's
    busy_user_independent: int


def busy_share(counts: Counts, captured: bool) -> dict[str, int]:
    """The busy prospect's records: its timeline adds up to exactly ``counts.timeline``
    (a task counts once when created and once more when done)."""
    t = counts.timeline
    done, open_ = round(t * 0.08), round(t * 0.04)
    notes, activities = round(t * 0.3), round(t * 0.3)
    history = t - notes - activities - (done + open_) - done - int(captured)
    return {"history": history, "notes": notes, "activities": activities, "done": done, "open": open_}


def plan(world: World, counts: Counts, rng: random.Random) -> Plan:
    n = len(world.ids)
    busy = busy_share(counts, bool(world.captured[world.busy]))
    everyone = array("l", (i for i in range(n) if i != world.busy))
    own = array("l", (i for i in everyone if world.owners[i] == world.busy_user))
    others = array("l", (i for i in everyone if world.owners[i] != world.busy_user))

    def spread(pool: array[int], k: int) -> array[int]:
        found = array("l", bytes(8 * n))
        size = len(pool)
        for _ in range(max(k, 0)):
            found[pool[int(rng.random() * size)]] += 1
        return found

    user_rest = counts.user_open_tasks - busy["open"]
    user_on_own = round(user_rest * 0.9)
    user_delegated = round(user_rest * 0.05)
    user_independent = user_rest - user_on_own - user_delegated
    busy_user_tasks = spread(own or others, user_on_own)
    delegated = spread(others, user_delegated)  # colleagues' prospects, delegated to the busy user
    for i, k in enumerate(delegated):
        busy_user_tasks[i] += k
    general = counts.open_tasks - counts.user_open_tasks
    independent = round(general * 0.04)
    return Plan(
        history=spread(everyone, counts.history - busy["history"]),
        activities=spread(everyone, counts.activities - busy["activities"]),
        notes=spread(everyone, counts.notes - busy["notes"]),
        open_tasks=spread(others, general - independent),
        busy_user_tasks=busy_user_tasks,
        closed_tasks=spread(everyone, counts.closed_tasks - busy["done"]),
        busy=busy,
        independent_open=independent,
        busy_user_independent=user_independent,
    )


class Writer(ABC):
    """Rows by table, with explicit ids; activity-contact links are held back
    until the activities and contacts they point at are written."""

    def __init__(self) -> None:
        self.next_id = dict.fromkeys(TABLES, 1)
        self.links: list[tuple[int, int]] = []

    def new_id(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    @abstractmethod
    def add(self, table: str, row: tuple[Any, ...]) -> None:
        """Write one row of ``table`` (COPY on PostgreSQL, batched INSERT on SQLite)."""

    @abstractmethod
    def close(self) -> None:
        """Flush what is buffered."""


def _due(world: World, rng: random.Random, shares: tuple[float, float, float]) -> tuple[Any, Any]:
    """A due date (and sometimes a time) for an open task: overdue, today, upcoming or none."""
    r = rng.random()
    overdue, today, upcoming = shares
    at = clock_time(rng.randint(8, 17), rng.choice((0, 30))) if rng.random() < 0.3 else None
    if r < overdue:
        return world.today - timedelta(days=1 + int(180 * rng.random() ** 2)), at
    if r < overdue + today:
        return world.today, at
    if r < overdue + today + upcoming:
        return world.today + timedelta(days=1 + int(60 * rng.random())), at
    return None, None


GENERAL_DUE = (0.30, 0.03, 0.50)
BUSY_USER_DUE = (0.30, 0.05, 0.45)


def _task(
    out: Writer,
    world: World,
    rng: random.Random,
    parent: int | None,
    owner: int,
    created: datetime,
    state: str,
    due_shares: tuple[float, float, float] = GENERAL_DUE,
) -> None:
    completed = None
    if state == "open":
        due, at = _due(world, rng, due_shares)
        status = "in_progress" if rng.random() < 0.15 else "open"
    else:
        due = (created + timedelta(days=rng.randint(0, 14))).date()
        at = None
        status = "done" if rng.random() < 0.85 or state == "done" else "cancelled"
        if status == "done":
            completed = min(created + timedelta(hours=1 + 200 * rng.random()), world.now)
    out.add(
        "tasks",
        (
            out.new_id("tasks"),
            "prospect" if parent is not None else None,
            parent,
            rng.choice(TASK_NAMES),
            "" if rng.random() < 0.7 else "Details in the last note.",
            None,
            due,
            at,
            rng.choice(world.priorities),
            owner,
            status,
            completed,
            None,
            owner,
            created,
            completed or created,
        ),
    )


def _colleague(world: World, rng: random.Random, not_: int) -> int:
    """Another sales user (never the busy one, whose open tasks are counted out exactly)."""
    choices = [u for u in world.colleagues if u != not_]
    return rng.choice(choices) if choices else not_


def generate(out: Writer, world: World, counts: Counts, seed: int) -> None:
    rng = random.Random(seed)
    work = plan(world, counts, rng)
    b = world.busy
    for i, prospect_id in enumerate(world.ids):
        is_busy = i == b
        skew = 1.0 if is_busy else 2.0
        owner = world.owner_or(i, world.admin)
        n_history = work.busy["history"] if is_busy else work.history[i]
        n_activities = work.busy["activities"] if is_busy else work.activities[i]
        n_notes = work.busy["notes"] if is_busy else work.notes[i]
        for _ in range(n_history):
            field, old, new = rng.choice(
                (
                    ("status_id", *rng.sample(world.statuses, 2)),
                    (
                        "phone",
                        "",
                        f"+40 7{rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                    ),
                    ("company", "", "Agro Construct SRL"),
                )
            )
            row = (out.new_id("prospect_history"), prospect_id, owner, "updated", {field: [old, new]})
            out.add("prospect_history", (*row, world.moment(i, rng, skew)))
        contacts: list[int] = []
        if is_busy or (n_activities and rng.random() < 0.35):
            for k in range(4 if is_busy else rng.randint(1, 3)):
                contact_id = out.new_id("contacts")
                contacts.append(contact_id)
                at = world.moment(i, rng, 4.0)
                name = CONTACT_NAMES[(contact_id + k) % len(CONTACT_NAMES)]
                email = name.lower().replace(" ", ".").encode("ascii", "ignore").decode() + "@example.com"
                out.add(
                    "contacts",
                    (
                        contact_id,
                        name,
                        rng.choice(JOB_TITLES),
                        "" if rng.random() < 0.5 else "Vânzări",
                        f"+40 7{rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                        email,
                        k == 0,
                        owner,
                        at,
                        at,
                        "prospect",
                        prospect_id,
                    ),
                )
        for _ in range(n_activities):
            created = world.moment(i, rng, skew)
            kind = rng.choices(("call", "email", "meeting"), (55, 30, 15))[0]
            if rng.random() < 0.1:
                status, starts = "planned", created + timedelta(hours=1 + 300 * rng.random())
            else:
                status = "held" if rng.random() < 0.85 else "not_held"
                starts = created - timedelta(minutes=int(120 * rng.random()))
            ends = None if kind == "email" else starts + timedelta(minutes=rng.choice((15, 30, 60)))
            direction = None if kind == "meeting" else ("outbound" if rng.random() < 0.7 else "inbound")
            activity_id = out.new_id("activities")
            outcome = rng.choice(OUTCOMES) if status != "planned" else ""
            row = (activity_id, kind, rng.choice(SUBJECTS[kind]), starts, ends, status, direction, owner)
            out.add("activities", (*row, outcome, owner, created, created, "prospect", prospect_id))
            if contacts and rng.random() < 0.6:
                out.links.append((activity_id, rng.choice(contacts)))
        for _ in range(n_notes):
            created = world.moment(i, rng, skew)
            author = owner if rng.random() < 0.8 else world.marketing
            row = (out.new_id("notes"), rng.choice(NOTES), author, created, created, "prospect", prospect_id)
            out.add("notes", row)
        if is_busy:
            for _ in range(work.busy["done"]):
                _task(out, world, rng, prospect_id, owner, world.moment(i, rng, 1.0), "done")
            for _ in range(work.busy["open"]):
                created = world.moment(i, rng, 1.0)
                _task(out, world, rng, prospect_id, world.busy_user, created, "open", BUSY_USER_DUE)
            continue
        for _ in range(work.closed_tasks[i]):
            _task(out, world, rng, prospect_id, owner, world.moment(i, rng, skew), "closed")
        for _ in range(work.open_tasks[i]):
            assignee = owner if world.owners[i] else rng.choice((world.marketing, *world.colleagues))
            if rng.random() < 0.05:
                assignee = _colleague(world, rng, assignee)  # delegated
            _task(out, world, rng, prospect_id, assignee, world.moment(i, rng, 0.5), "open")
        for _ in range(work.busy_user_tasks[i]):
            created = world.moment(i, rng, 0.5)
            _task(out, world, rng, prospect_id, world.busy_user, created, "open", BUSY_USER_DUE)
    recent = world.now - timedelta(days=90)
    for _ in range(work.independent_open):
        owner = _colleague(world, rng, world.admin)
        _task(out, world, rng, None, owner, recent + (world.now - recent) * rng.random(), "open")
    for _ in range(work.busy_user_independent):
        created = recent + (world.now - recent) * rng.random()
        _task(out, world, rng, None, world.busy_user, created, "open", BUSY_USER_DUE)


# --- writing -------------------------------------------------------------------------


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text_value = str(value)
    return text_value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class CopyWriter(Writer):
    """PostgreSQL: one connection and one open COPY per table, so every table
    streams while the prospects are walked once."""

    BATCH = 20_000

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.open: dict[str, tuple[Any, Any, Any, Any]] = {}  # connection, cursor, COPY block, its writer
        self.buffers: dict[str, list[str]] = {}
        for table in TABLES:
            if table == "activity_contacts":
                continue
            raw = engine.raw_connection()
            cursor = raw.cursor()
            block = cursor.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN")
            self.open[table] = (raw, cursor, block, block.__enter__())
            self.buffers[table] = []

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        buffer = self.buffers[table]
        buffer.append("\t".join(_copy_value(v) for v in row))
        if len(buffer) >= self.BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        buffer = self.buffers[table]
        if buffer:
            self.open[table][3].write("\n".join(buffer) + "\n")
            buffer.clear()

    def close(self) -> None:
        for table, (raw, cursor, block, _copy) in self.open.items():
            self._flush(table)
            block.__exit__(None, None, None)
            cursor.close()
            raw.commit()
            raw.close()
        self.open.clear()
        # The links last: their activities and contacts are committed now.
        raw = self.engine.raw_connection()
        try:
            with raw.cursor() as cursor, cursor.copy("COPY activity_contacts FROM STDIN") as copy:
                copy.write("".join(f"{a}\t{c}\n" for a, c in sorted(set(self.links))))
            raw.commit()
        finally:
            raw.close()


class InsertWriter(Writer):
    """SQLite: batched multi-row inserts in one transaction."""

    BATCH = 5_000

    def __init__(self, conn: Connection) -> None:
        super().__init__()
        self.conn = conn
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}

    def add(self, table: str, row: tuple[Any, ...]) -> None:
        rows = self.rows[table]
        rows.append(dict(zip(COLUMNS[table], row, strict=True)))
        if len(rows) >= self.BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        if self.rows[table]:
            self.conn.execute(insert(MODELS[table]), self.rows[table])
            self.rows[table].clear()

    def close(self) -> None:
        for table in TABLES:
            self._flush(table)
        for activity_id, contact_id in sorted(set(self.links)):
            self.add("activity_contacts", (activity_id, contact_id))
        self._flush("activity_contacts")


# --- the summary columns -----------------------------------------------------------------

# The aggregates of crm_core.tasks.summary and crm_core.activities.services, for every prospect.
SUMMARY = """
    SELECT p.id, coalesce(t.n, 0) AS open_tasks, t.next_due, a.last_at
    FROM prospects p
    LEFT JOIN (
        SELECT parent_id, count(*) AS n, min(due_date) AS next_due FROM tasks
        WHERE parent_type = 'prospect' AND status IN ('open', 'in_progress') GROUP BY parent_id
    ) t ON t.parent_id = p.id
    LEFT JOIN (
        SELECT parent_id, max(starts_at) AS last_at FROM activities
        WHERE parent_type = 'prospect' AND status = 'held' GROUP BY parent_id
    ) a ON a.parent_id = p.id
"""
DIFFERS = (
    "(p.open_tasks IS NOT s.open_tasks OR p.next_task_due IS NOT s.next_due "
    "OR p.last_activity_at IS NOT s.last_at)"
)


def refresh_summaries(conn: Connection) -> int:
    """Set every prospect's summary columns from its tasks and activities; the number changed."""
    if conn.dialect.name == "postgresql":
        differs = DIFFERS.replace(" IS NOT ", " IS DISTINCT FROM ")
        sql = f"""
            UPDATE prospects p SET open_tasks = s.open_tasks, next_task_due = s.next_due,
                last_activity_at = s.last_at
            FROM ({SUMMARY}) s WHERE p.id = s.id AND {differs}
        """  # noqa: S608 - constant SQL
    else:
        sql = f"""
            UPDATE prospects AS p SET open_tasks = s.open_tasks, next_task_due = s.next_due,
                last_activity_at = s.last_at
            FROM ({SUMMARY}) AS s WHERE p.id = s.id AND {DIFFERS}
        """  # noqa: S608 - constant SQL
    return conn.execute(text(sql)).rowcount


def inconsistent_summaries(conn: Connection) -> int:
    differs = DIFFERS if conn.dialect.name == "sqlite" else DIFFERS.replace(" IS NOT ", " IS DISTINCT FROM ")
    sql = f"SELECT count(*) FROM prospects p JOIN ({SUMMARY}) s ON s.id = p.id WHERE {differs}"  # noqa: S608
    return conn.execute(text(sql)).scalar_one()


# --- PostgreSQL's indexes -------------------------------------------------------------------


def drop_secondary_indexes(conn: Connection, tables: tuple[str, ...]) -> list[tuple[str, str]]:
    """Drop the non-unique indexes of ``tables`` (building them once after
    loading is far faster than maintaining them row by row); their definitions."""
    found = conn.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname = ANY(:tables) AND NOT x.indisunique AND NOT x.indisprimary"
        ),
        {"tables": list(tables)},
    ).all()
    for name, _definition in found:
        conn.execute(text(f'DROP INDEX "{name}"'))
    conn.commit()
    return [(name, definition) for name, definition in found]


def build_indexes(conn: Connection, indexes: list[tuple[str, str]]) -> None:
    conn.execute(text("SET maintenance_work_mem = '512MB'"))
    for name, definition in indexes:
        started = time.perf_counter()
        conn.execute(text(definition))
        conn.commit()
        print(f"  index {name}: {time.perf_counter() - started:.1f}s", flush=True)


# --- main ---------------------------------------------------------------------------------------


def _existing_rows(conn: Connection) -> dict[str, int]:
    return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES}  # noqa: S608


def _clear(conn: Connection) -> None:
    # Offers name a contact (the one they are sent to): unlink them before the contacts go,
    # and keep the offers (the board benchmark's database has them).
    conn.execute(text("UPDATE offers SET contact_id = NULL WHERE contact_id IS NOT NULL"))
    if conn.dialect.name == "postgresql":
        # Reminders sent for the tasks go with them.
        emptied = [table for table in TABLES if table != "contacts"] + ["task_reminders"]
        conn.execute(text(f"TRUNCATE {', '.join(emptied)} RESTART IDENTITY"))
        conn.execute(text("DELETE FROM contacts"))
    else:
        conn.execute(text("DELETE FROM task_reminders"))
        for table in reversed(TABLES):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608
    conn.commit()


def seed(engine: Engine, counts: Counts, seed_value: int, replace: bool) -> World:
    with engine.connect() as conn:
        existing = {t: n for t, n in _existing_rows(conn).items() if n}
        if existing and not replace:
            raise SystemExit(f"these tables already hold rows: {existing}; pass --replace to start over")
        if existing:
            _clear(conn)
        world = load_world(conn)
    print(f"  {len(world.ids):,} prospects; the busy prospect is #{world.ids[world.busy]}", flush=True)
    started = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            related_indexes = drop_secondary_indexes(conn, TABLES)
        out: Writer = CopyWriter(engine)
        generate(out, world, counts, seed_value)
        out.close()
        print(f"  rows written in {time.perf_counter() - started:.0f}s", flush=True)
        with engine.connect() as conn:
            for table in TABLES:
                if table != "activity_contacts":
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")  # noqa: S608
                    )
            conn.commit()
            # Nearly every prospect's summary changes: rewrite the table without its
            # secondary indexes, then build them once.
            prospect_indexes = drop_secondary_indexes(conn, ("prospects",))
            changed = refresh_summaries(conn)
            conn.commit()
            print(f"  summary columns set on {changed:,} prospects", flush=True)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM FULL prospects"))
        with engine.connect() as conn:
            build_indexes(conn, related_indexes + prospect_indexes)
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            out = InsertWriter(conn)
            generate(out, world, counts, seed_value)
            out.close()
            changed = refresh_summaries(conn)
            print(f"  summary columns set on {changed:,} prospects", flush=True)
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    with engine.connect() as conn:
        wrong = inconsistent_summaries(conn)
        if wrong:
            raise SystemExit(f"{wrong} prospects' summary columns disagree with their tasks and activities")
        print("  summary columns agree with the tasks and activities on every prospect", flush=True)
        for table in TABLES:
            print(f"  {table}: {conn.execute(text(f'SELECT count(*) FROM {table}')).scalar_one():,}")  # noqa: S608
    return world


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--quick", action="store_true", help="small counts, for the smoke test")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--replace", action="store_true", help="delete related records seeded before")
    args = parser.parse_args(argv)
    counts = QUICK if args.quick else FULL
    engine = make_engine(args.database_url)
    started = time.perf_counter()
    seed(engine, counts, args.seed, args.replace)
    engine.dispose()
    print(f"seeded related records in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
