"""Changing prospects by hand: add, edit, delete and bulk actions. Every
change is checked with the capture rules, limited to what the editor may see,
and written to the prospect's history; a status that changes goes through
``crm_core.prospects.status``; a delete takes the prospect's contacts,
activities, tasks and notes with it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from crm_core.bulk import insert_rows
from crm_core.db import utcnow
from crm_core.errors import DomainError, ValidationFailed
from crm_core.events.payloads import prospect_data
from crm_core.events.services import record_event, record_events
from crm_core.lists.models import Priority, Source, Status
from crm_core.lists.queries import default_priority_id, default_source_id, default_status_id
from crm_core.parents import ParentType
from crm_core.prospects.history import IMPORTED_FROM, display_value, record_change
from crm_core.prospects.models import PROSPECT_TEXT_FIELDS, Prospect, ProspectChange
from crm_core.prospects.schemas import EDITABLE_FIELDS, LOOKUP_FIELDS, validate_prospect
from crm_core.prospects.status import (
    CONVERT_FIRST,
    UTC_ZONE,
    check_editable,
    check_status_change,
    converted_status_ids,
    entered_status,
)
from crm_core.prospects.visibility import get_visible_prospect, visible_clauses, visible_ids, visible_names
from crm_core.related import delete_related
from crm_core.text.search import match_keys, search_text
from crm_core.users.models import User

MAX_BULK = 500


@dataclass(frozen=True)
class NewProspect:
    """A prospect that passed every rule of manual entry (``NewProspectRules.prepare``), ready
    for ``add_prospects``."""

    values: dict[str, Any]


class NewProspectRules:
    """The rules a new prospect must pass — the capture rules for its text, existing choices,
    no converted status (that needs an account), the lists' defaults for what is unset —
    with what they read from the database looked up once, so an import checks thousands
    of rows a second through the same rules as the add form."""

    def __init__(self, session: Session) -> None:
        self._session = session
        # The choices a prospect refers to, held here while the rules are in use: the
        # session's identity map keeps only objects someone holds, and the checks (and the
        # history's names) look each of them up again for every row.
        self._held = [
            *session.scalars(select(Status)),
            *session.scalars(select(Source)),
            *session.scalars(select(Priority)),
            *session.scalars(select(User)),
        ]
        self._converted = set(converted_status_ids(session))
        self._defaults = {
            "status_id": default_status_id(session),
            "source_id": default_source_id(session),
            "priority_id": default_priority_id(session),
        }

    def prepare(self, data: Mapping[str, Any]) -> NewProspect:
        """Form data (strings) → a ``NewProspect``, or ``ValidationFailed`` / ``DomainError``."""
        values = validate_prospect(self._session, data)
        if values["status_id"] in self._converted:
            raise DomainError(CONVERT_FIRST)
        for field, default in self._defaults.items():
            if values[field] is None:
                values[field] = default
        return NewProspect(values)


def create_prospect(
    session: Session, editor: User, data: Mapping[str, Any], *, zone: ZoneInfo = UTC_ZONE
) -> Prospect:
    """Manual entry. Unset status, source and priority get the defaults; the
    prospect enters its status (automatic tasks) like any other."""
    (prospect_id,) = add_prospects(session, editor, [NewProspectRules(session).prepare(data)], zone=zone)
    prospect = session.get(Prospect, prospect_id)
    assert prospect is not None
    return prospect


def add_prospects(
    session: Session,
    editor: User,
    prospects: Sequence[NewProspect],
    *,
    zone: ZoneInfo = UTC_ZONE,
    import_id: int | None = None,
    import_name: str = "",
) -> list[int]:
    """Insert prepared prospects — one by hand or a batch of an import — with everything a
    new prospect brings: search text and duplicate keys, a "created" history entry, the
    ``prospect.created`` event and the automatic tasks of its status. One statement per
    kind of row for the whole batch. Returns the new ids in order.

    ``import_id`` links each prospect to the import that created it (revert deletes by it),
    and its history entry names the file (``import_name``)."""
    if not prospects:
        return []
    now = utcnow()
    rows = []
    for new in prospects:
        values = new.values
        rows.append(
            {
                **values,
                "search_text": search_text(values),
                **match_keys(values),
                "import_id": import_id,
                "created_at": now,
                "updated_at": now,
            }
        )
    ids = insert_rows(session, Prospect.__table__, rows, returning_ids=True)  # type: ignore[arg-type]
    history_rows = []
    names: dict[tuple[str, Any], str] = {}  # (field, value) → as the history reads it, once per batch
    for prospect_id, row, new in zip(ids, rows, prospects, strict=True):
        changes = {
            field: [
                "",
                names[field, value] if (field, value) in names else _name(session, names, field, value),
            ]
            for field, value in new.values.items()
            if value not in (None, "")
        }
        if import_id is not None:
            changes[IMPORTED_FROM] = ["", import_name]
        history_rows.append(
            {
                "prospect_id": prospect_id,
                "user_id": editor.id,
                "action": "created",
                "changes": changes,
                "created_at": now,
            }
        )
        row["id"] = prospect_id
    insert_rows(session, ProspectChange.__table__, history_rows)  # type: ignore[arg-type]
    record_events(
        session,
        [("prospect.created", {"prospect": prospect_data(row), "by_user_id": editor.id}) for row in rows],
    )
    entered_status(session, [(row["id"], row["owner_id"], row["status_id"]) for row in rows], editor, zone)
    return ids


def _name(session: Session, names: dict[tuple[str, Any], str], field: str, value: Any) -> str:
    names[field, value] = shown = display_value(session, field, value)
    return shown


def update_prospect(
    session: Session, editor: User, prospect_id: int, data: Mapping[str, Any], *, zone: ZoneInfo = UTC_ZONE
) -> Prospect:
    """Edit the fields posted (the edit form posts them all); history keeps the differences."""
    prospect = get_visible_prospect(session, editor, prospect_id)
    check_editable(prospect)
    current = _current_values(prospect)
    # Only what changed is checked: a value captured before a rule existed
    # does not block an unrelated edit.
    changed = [
        name
        for name in EDITABLE_FIELDS
        if name in data and str(data[name] or "").strip() != current[name].strip()
    ]
    values = validate_prospect(session, data, changed)
    if "status_id" in values:
        check_status_change(session, prospect, values["status_id"])
    old_status = prospect.status_id
    _apply(session, prospect, editor, values)
    if prospect.status_id != old_status:
        entered_status(session, [(prospect.id, prospect.owner_id, prospect.status_id)], editor, zone)
    return prospect


def _current_values(prospect: Prospect) -> dict[str, Any]:
    return {
        field: ("" if value is None else str(value))
        for field in EDITABLE_FIELDS
        for value in [getattr(prospect, field)]
    }


def _apply(session: Session, prospect: Prospect, editor: User, values: Mapping[str, Any]) -> None:
    changes: dict[str, list[str]] = {}
    old_status_id = prospect.status_id
    for field, new in values.items():
        old = getattr(prospect, field)
        if old != new:
            changes[field] = [display_value(session, field, old), display_value(session, field, new)]
            setattr(prospect, field, new)
    if not changes:
        return
    current = {f: getattr(prospect, f) for f in PROSPECT_TEXT_FIELDS}
    prospect.search_text = search_text(current)
    for key, value in match_keys(current).items():
        setattr(prospect, key, value)
    prospect.updated_at = utcnow()
    record_change(session, prospect.id, editor, "updated", changes)
    session.flush()
    _record_update_events(session, prospect, editor, changes, old_status_id)


def delete_prospect(session: Session, editor: User, prospect_id: int) -> None:
    """The prospect and everything hanging off it, in one transaction."""
    prospect = get_visible_prospect(session, editor, prospect_id)
    record_event(
        session,
        "prospect.deleted",
        {"prospect": {"id": prospect.id, "name": prospect.name}, "by_user_id": editor.id},
    )
    delete_related(session, ParentType.PROSPECT, [prospect.id])
    session.execute(delete(Prospect).where(Prospect.id == prospect.id))
    session.expunge(prospect)


def bulk_update(
    session: Session,
    editor: User,
    ids: Sequence[int],
    field: str,
    value: int | None,
    *,
    zone: ZoneInfo = UTC_ZONE,
) -> int:
    """Set status or owner on the selected prospects ``editor`` may see; returns how many changed."""
    if field not in ("status_id", "owner_id"):
        raise ValueError(field)
    model = LOOKUP_FIELDS[field]
    if value is None and field == "status_id":
        raise ValidationFailed({field: ["Choose a value from the list."]})
    if value is not None and session.get(model, value) is None:
        raise ValidationFailed({field: ["Choose a value from the list."]})
    column = getattr(Prospect, field)
    targets = visible_ids(session, editor, list(ids)[:MAX_BULK])
    _check_bulk(session, targets, field, value)
    rows = session.execute(
        select(Prospect.id, column, Prospect.owner_id).where(
            Prospect.id.in_(targets), column.is_distinct_from(value)
        )
    ).all()
    if not rows:
        return 0
    new_label = display_value(session, field, value)
    changed = [row.id for row in rows]
    session.execute(
        update(Prospect)
        .where(Prospect.id.in_(changed), *visible_clauses(editor))
        .values({field: value, "updated_at": utcnow()})
        .execution_options(synchronize_session=False)
    )
    for row in rows:
        old = getattr(row, field)
        change = {field: [display_value(session, field, old), new_label]}
        record_change(session, row.id, editor, "updated", change)
    session.flush()
    olds = {row.id: getattr(row, field) for row in rows}
    for prospect in session.scalars(
        select(Prospect).where(Prospect.id.in_(changed)).execution_options(populate_existing=True)
    ):
        old = olds[prospect.id]
        change = {field: [display_value(session, field, old), new_label]}
        _record_update_events(
            session, prospect, editor, change, old if field == "status_id" else prospect.status_id
        )
    if field == "status_id" and value is not None:
        entered_status(session, [(row.id, row.owner_id, value) for row in rows], editor, zone)
    return len(changed)


def _record_update_events(
    session: Session,
    prospect: Prospect,
    editor: User,
    changes: dict[str, list[str]],
    old_status_id: int | None,
) -> None:
    """prospect.updated for any change; prospect.status_changed too when the status moved."""
    data = prospect_data(prospect)
    events = [("prospect.updated", {"prospect": data, "changes": changes, "by_user_id": editor.id})]
    if "status_id" in changes:
        events.append(
            (
                "prospect.status_changed",
                {
                    "prospect": data,
                    "from_status_id": old_status_id,
                    "to_status_id": prospect.status_id,
                    "by_user_id": editor.id,
                },
            )
        )
    record_events(session, events)


def _check_bulk(session: Session, targets: list[int], field: str, value: int | None) -> None:
    """Converted prospects are read-only, and none becomes converted without an account."""
    if not targets:
        return
    converted = session.scalar(
        select(func.count()).where(Prospect.id.in_(targets), Prospect.converted_at.is_not(None))
    )
    if converted:
        raise DomainError(
            f"{converted} of the selected prospects are converted and read-only; leave them out."
        )
    if field == "status_id" and value in converted_status_ids(session):
        raise DomainError(CONVERT_FIRST)


def bulk_delete(session: Session, editor: User, ids: Sequence[int]) -> int:
    targets = visible_ids(session, editor, list(ids)[:MAX_BULK])
    if targets:
        record_events(
            session,
            [
                ("prospect.deleted", {"prospect": {"id": pid, "name": name}, "by_user_id": editor.id})
                for pid, name in visible_names(session, editor, targets)
            ],
        )
        delete_related(session, ParentType.PROSPECT, targets)
        session.execute(
            delete(Prospect)
            .where(Prospect.id.in_(targets), *visible_clauses(editor))
            .execution_options(synchronize_session=False)
        )
    return len(targets)
