"""Inserting many rows of one table in one statement, the same way on both databases'
terms: the import's batches (prospects, their history, their events) go through here.

PostgreSQL gets every row in one JSON parameter unpacked by ``jsonb_to_recordset`` (the
trick ``crm_core.prospects.intake`` uses for the worker's batches): a multi-row VALUES
list has one parameter per cell, so a 500-row batch of prospects is a 15,000-parameter
statement whose text changes with the batch size, and psycopg spends more time splitting
that text than PostgreSQL spends inserting. This statement is the same for every batch.
SQLite parses fast and takes SQLAlchemy's own multi-row insert.

Columns a row leaves out get their Python-side default (``INSERT … SELECT`` applies only
server defaults), so callers pass what they would pass to ``insert()``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Integer, Table, Text, bindparam, cast, column, func, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session


def insert_rows(
    session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *, returning_ids: bool = False
) -> list[int]:
    """Insert ``rows`` (dicts with the same keys); with ``returning_ids``, their new ids in order."""
    if not rows:
        return []
    complete = _with_defaults(table, rows)
    if session.get_bind().dialect.name != "postgresql":
        stmt = insert(table)
        if returning_ids:
            # Multi-row VALUES statements; SQLite numbers the rows as they come (one writer
            # holds the database), so the ids in ascending order are the rows' ids in order.
            # (``sort_by_parameter_order`` would send one statement per row here.)
            return sorted(session.scalars(stmt.returning(table.c.id), complete))
        session.execute(stmt, complete)
        return []
    statement = _recordset_insert(table, tuple(complete[0]), returning_ids)
    numbered = [{**row, _ORDER: number} for number, row in enumerate(complete)]
    result = session.execute(statement, {"rows": json.dumps(numbered, default=_json_value)})
    # The rows are inserted in the order of their numbers, and the sequence numbers them as
    # they come, so the ids in ascending order are the rows' ids in order.
    return sorted(result.scalars()) if returning_ids else []


def _with_defaults(table: Table, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    present = set(rows[0])
    missing: dict[str, Any] = {}
    for col in table.columns:
        if col.name in present or col.primary_key or col.default is None:
            continue
        missing[col.name] = col.default
    if not missing:
        return [dict(row) for row in rows]
    filled = []
    for row in rows:
        values = dict(row)
        for name, default in missing.items():
            values[name] = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
        filled.append(values)
    return filled


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot send {type(value).__name__} in a JSON row")


_ORDER = "_row_order"


@functools.cache
def _recordset_insert(table: Table, columns: tuple[str, ...], returning_ids: bool) -> Any:
    rowset = (
        func.jsonb_to_recordset(cast(bindparam("rows", type_=Text), JSONB))
        .table_valued(*(column(name, table.c[name].type) for name in columns), column(_ORDER, Integer()))
        .render_derived(name="r", with_types=True)
    )
    stmt = postgresql.insert(table).from_select(
        list(columns),
        select(*(rowset.c[name] for name in columns)).order_by(rowset.c[_ORDER]),
        include_defaults=False,
    )
    return stmt.returning(table.c.id) if returning_ids else stmt
