"""Finding the existing prospect a file row duplicates, a batch of rows at a time.

A row matches a prospect with the same email (case and accents ignored), the same phone
digits or the same registration code (letters and digits, case ignored) — whichever of the
three the person chose. Each is one indexed look-up per batch (``IN`` lists on the derived
keys, range scans of ``search_text`` for email: see ``crm_core.text.search``), so a million
rows against a million prospects costs a few thousand index probes per batch, not a scan.
When several prospects match, the oldest is the one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Text, and_, any_, cast, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from crm_core.prospects.models import Prospect
from crm_core.text.search import SEPARATOR, email_range, fold, phone_digits, registration_key

_CHUNK = 200
_AFTER_SEPARATOR = chr(ord(SEPARATOR) + 1)


def row_keys(values: Mapping[str, Any], match_on: Iterable[str]) -> list[tuple[str, str]]:
    """The ``(kind, key)`` pairs a row is matched by; blank ones left out."""
    keys = []
    for kind in match_on:
        raw = str(values.get(kind) or "")
        if kind == "email":
            key = fold(raw)
        elif kind == "phone":
            key = phone_digits(raw)
        else:
            key = registration_key(raw)
        if key:
            keys.append((kind, key))
    return keys


def find_existing(
    session: Session, rows: Sequence[Mapping[str, Any]], match_on: Sequence[str]
) -> list[int | None]:
    """For each row (prospect values by field), the id of the oldest prospect it duplicates."""
    keys_per_row = [row_keys(values, match_on) for values in rows]
    wanted: dict[str, set[str]] = {}
    for keys in keys_per_row:
        for kind, key in keys:
            wanted.setdefault(kind, set()).add(key)
    found: dict[tuple[str, str], int] = {}
    for kind, keys in wanted.items():
        for chunk in _chunks(sorted(keys)):
            for kind_key, prospect_id in _lookup(session, kind, chunk):
                if kind_key not in found or prospect_id < found[kind_key]:
                    found[kind_key] = prospect_id
    result: list[int | None] = []
    for keys in keys_per_row:
        ids = [found[key] for key in keys if key in found]
        result.append(min(ids) if ids else None)
    return result


def _lookup(session: Session, kind: str, keys: list[str]) -> list[tuple[tuple[str, str], int]]:
    postgres = session.get_bind().dialect.name == "postgresql"
    if kind in ("phone", "registration_code"):
        column = Prospect.phone_digits if kind == "phone" else Prospect.registration_key
        # PostgreSQL: one array parameter, so the statement is the same whatever the count.
        condition = column == any_(cast(literal(keys), ARRAY(Text))) if postgres else column.in_(keys)
        rows = session.execute(select(column, Prospect.id).where(condition))
        return [((kind, row[0]), row[1]) for row in rows]
    if postgres:
        wanted = func.unnest(cast(literal(keys), ARRAY(Text))).table_valued("key").render_derived()
        stmt = select(Prospect.search_text, Prospect.id).join(
            wanted,
            and_(
                Prospect.search_text >= wanted.c.key + SEPARATOR,
                Prospect.search_text < wanted.c.key + _AFTER_SEPARATOR,
            ),
        )
    else:
        ranges = [bounds for key in keys if (bounds := email_range(key)) is not None]
        stmt = select(Prospect.search_text, Prospect.id).where(
            or_(*(and_(Prospect.search_text >= low, Prospect.search_text < high) for low, high in ranges))
        )
    # The email segment is everything before the first separator.
    return [((kind, row[0].split(SEPARATOR, 1)[0]), row[1]) for row in session.execute(stmt)]


def _chunks(keys: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]
