"""Turning an accepted submission (``SubmissionPayload``) into exactly one
prospect, alone or in the worker's batches. Editing by hand lives in
``services``, listing in ``queries``, who sees what in ``visibility``."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, bindparam, cast, column, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import ReturningInsert

from crm_core.events.payloads import prospect_data
from crm_core.events.services import record_event, record_events
from crm_core.forms.models import WebForm
from crm_core.lists.models import Priority, Source, Status
from crm_core.lists.queries import default_priority_id, default_source_id, default_status_id
from crm_core.prospects.models import ATTRIBUTION_PARAMS, PROSPECT_TEXT_FIELDS, Prospect, ProspectChange
from crm_core.prospects.payload import SubmissionPayload
from crm_core.prospects.status import UTC_ZONE, Entry, entered_status
from crm_core.text.search import match_keys, search_text
from crm_core.text.storable import storable
from crm_core.users.models import User


def prospect_name(prefix: str, values: dict[str, Any]) -> str:
    """``[Web] Ana Popescu``; falls back to company or email so no prospect is nameless."""
    base = (values.get("name") or values.get("company") or values.get("email") or "Web visitor").strip()
    prefix = prefix.strip()
    return f"{prefix} {base}"[:250] if prefix else base[:250]


def _row_from_submission(payload: SubmissionPayload) -> dict[str, Any]:
    values: dict[str, Any] = storable(payload["values"])
    meta: dict[str, Any] = storable(payload.get("meta", {}))
    presets: dict[str, Any] = payload.get("presets", {})
    row: dict[str, Any] = {
        field: str(values.get(field) or "")[:length] for field, length in PROSPECT_TEXT_FIELDS.items()
    }
    consent_given = bool(meta.get("consent_given"))
    received_at = datetime.fromisoformat(payload["received_at"])
    row.update(
        name=prospect_name(presets.get("name_prefix", ""), values),
        status_id=presets.get("status_id"),
        source_id=presets.get("source_id"),
        priority_id=presets.get("priority_id"),
        owner_id=presets.get("owner_id"),
        form_id=payload.get("form_id"),
        submission_id=payload["submission_id"],
        page_url=str(meta.get("page_url", ""))[:2000],
        referrer=str(meta.get("referrer", ""))[:2000],
        attribution={
            k: str(v)[:200] for k, v in meta.get("attribution", {}).items() if k in ATTRIBUTION_PARAMS
        },
        custom_fields={k: v for k, v in values.items() if k.startswith("cf_")},
        consent_given=consent_given,
        consent_text=str(meta.get("consent_text", "")) if consent_given else "",
        consent_at=received_at if consent_given else None,
        created_at=received_at,
        updated_at=received_at,
    )
    # The insert is a Core statement, so the derived column is filled here.
    row["search_text"] = search_text(row)
    row.update(match_keys(row))
    return row


def _insert_ignoring_duplicate(session: Session, row: dict[str, Any]) -> Entry | None:
    """The new prospect as a status entry, or ``None`` when the submission was already in."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = (
        module.insert(Prospect)
        .values(row)
        .on_conflict_do_nothing(index_elements=["submission_id"])
        .returning(Prospect.id, Prospect.owner_id, Prospect.status_id)
    )
    inserted = session.execute(stmt).first()
    if inserted is None:
        return None
    record_event(session, "prospect.created", {"prospect": prospect_data({**row, "id": inserted.id})})
    return (inserted.id, inserted.owner_id, inserted.status_id)


def _resolve_presets(session: Session, row: dict[str, Any]) -> None:
    """A preset may point at a status, user or form deleted after the visitor
    submitted; the lead still lands, with the defaults instead."""
    checks = (
        ("status_id", Status, default_status_id),
        ("source_id", Source, default_source_id),
        ("priority_id", Priority, default_priority_id),
        ("owner_id", User, lambda _s: None),
        ("form_id", WebForm, lambda _s: None),
    )
    for attr, model, fallback in checks:
        if row[attr] is not None and session.get(model, row[attr]) is None:
            row[attr] = fallback(session)


def _attach_to_existing(session: Session, payload: SubmissionPayload) -> bool:
    """For a form in "attach" mode: when a prospect with the visitor's email
    exists, record the submission in its history (once per submission id) and
    return ``True``; otherwise ``False`` and the caller creates a prospect."""
    values: dict[str, Any] = storable(payload["values"])
    email = str(values.get("email") or "").strip()
    sid = payload["submission_id"]
    if not email or session.scalar(select(Prospect.id).where(Prospect.submission_id == sid)) is not None:
        return False
    existing = session.scalar(
        select(Prospect.id).where(Prospect.email.in_({email, email.lower()})).order_by(Prospect.id).limit(1)
    )
    if existing is None:
        return False
    changes = {field: ["", str(value)] for field, value in values.items() if value not in ("", None)}
    page_url = storable(payload.get("meta", {}).get("page_url"))
    if page_url:
        changes["page_url"] = ["", str(page_url)]
    row = {
        "prospect_id": existing,
        "user_id": None,
        "action": "submission",
        "changes": changes,
        "submission_id": sid,
        "created_at": datetime.fromisoformat(payload["received_at"]),
    }
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        module.insert(ProspectChange).values(row).on_conflict_do_nothing(index_elements=["submission_id"])
    )
    return True


def create_prospect_from_submission(
    session: Session, payload: SubmissionPayload, zone: ZoneInfo = UTC_ZONE
) -> bool:
    """Insert the prospect for one submission; ``False`` when that submission id
    was already turned into a prospect (a re-run job), so running twice is harmless,
    or when the form attaches repeat visitors to their existing prospect. A new
    prospect enters its status like any other (automatic tasks)."""
    if payload.get("presets", {}).get("duplicate_mode") == "attach" and _attach_to_existing(session, payload):
        return False
    row = _row_from_submission(payload)
    try:
        with session.begin_nested():
            entry = _insert_ignoring_duplicate(session, row)
    except IntegrityError:
        _resolve_presets(session, row)
        entry = _insert_ignoring_duplicate(session, row)
    if entry is None:
        return False
    entered_status(session, [entry], None, zone)
    return True


def create_prospects_from_submissions(
    session: Session, payloads: list[SubmissionPayload], zone: ZoneInfo = UTC_ZONE
) -> int:
    """Insert the prospects of many submissions in one statement (the worker's
    batch path); returns how many were new. Duplicates are skipped as in
    ``create_prospect_from_submission``, and if a stale preset breaks the batch
    it falls back to one row at a time so every lead still lands."""
    attaching = [p for p in payloads if p.get("presets", {}).get("duplicate_mode") == "attach"]
    if attaching:  # each needs a look-up first; the rest still go in one statement
        created = sum(create_prospect_from_submission(session, payload, zone) for payload in attaching)
        rest = [p for p in payloads if p.get("presets", {}).get("duplicate_mode") != "attach"]
        return created + (create_prospects_from_submissions(session, rest, zone) if rest else 0)
    rows = [_row_from_submission(payload) for payload in payloads]
    if session.get_bind().dialect.name == "postgresql":
        stmt, params = _postgresql_batch_insert(tuple(rows[0])), {"rows": json.dumps(rows, default=_iso)}
    else:
        stmt, params = _sqlite_batch_insert(), rows  # type: ignore[assignment]
    try:
        with session.begin_nested():
            inserted = session.execute(stmt, params).all()
    except IntegrityError:
        return sum(create_prospect_from_submission(session, payload, zone) for payload in payloads)
    by_submission = {row["submission_id"]: row for row in rows}
    record_events(
        session,
        [
            (
                "prospect.created",
                {"prospect": prospect_data({**by_submission[new.submission_id], "id": new.id})},
            )
            for new in inserted
        ],
    )
    entered_status(session, [(new.id, new.owner_id, new.status_id) for new in inserted], None, zone)
    return len(inserted)


def _iso(value: datetime) -> str:
    return value.isoformat()


@functools.cache
def _postgresql_batch_insert(
    columns: tuple[str, ...],
) -> ReturningInsert[tuple[int, int | None, int | None, str]]:
    """All rows in one JSON parameter, unpacked by ``jsonb_to_recordset``.

    A multi-row VALUES list has ~30 parameters per row, so its text changes with
    the batch size and psycopg re-parses every statement over 50 parameters: at
    9 rows that parse was 3 ms, half the worker's CPU per transaction. This
    statement is the same for every batch, so psycopg parses it once and
    PostgreSQL runs it prepared."""
    table = Prospect.__table__
    rowset = (
        func.jsonb_to_recordset(cast(bindparam("rows", type_=Text), JSONB))
        .table_valued(*(column(name, table.c[name].type) for name in columns))
        .render_derived(name="r", with_types=True)
    )
    return (
        postgresql.insert(table)  # the Table: an ORM insert would read the one parameter as a row
        .from_select(list(columns), select(*(rowset.c[name] for name in columns)), include_defaults=False)
        .on_conflict_do_nothing(index_elements=["submission_id"])
        .returning(table.c.id, table.c.owner_id, table.c.status_id, table.c.submission_id)
    )


@functools.cache
def _sqlite_batch_insert() -> ReturningInsert[tuple[int, int | None, int | None, str]]:
    return (
        sqlite.insert(Prospect)
        .on_conflict_do_nothing(index_elements=["submission_id"])
        .returning(Prospect.id, Prospect.owner_id, Prospect.status_id, Prospect.submission_id)
    )
