"""Keyset pagination for the lists of accounts and offers (the prospects list
has its own tuned copy in ``crm_core.prospects.queries``): a page is the rows
after (or before) a cursor — the last row's sort value and id — so page 1,000
costs what page 1 costs, and a row added meanwhile never shifts a page."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, literal, tuple_
from sqlalchemy.orm import Session

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _encode_value(value: Any) -> list[Any]:
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    return ["v", value]


def _decode_value(tagged: Any) -> Any:
    tag, raw = tagged
    if tag == "t":
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            raise ValueError("naive")
        return moment
    if tag == "d":
        return date.fromisoformat(raw)
    if tag == "n":
        return Decimal(raw)
    if tag == "v" and (raw is None or (isinstance(raw, str | int) and not isinstance(raw, bool))):
        return raw
    raise ValueError(tag)


def encode_cursor(sort: str, value: Any, row_id: int) -> str:
    raw = json.dumps([sort, _encode_value(value), row_id], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, sort: str) -> tuple[Any, int] | None:
    """(value, id), or ``None`` for a token that is malformed or from another sort."""
    try:
        sort_in, tagged, row_id = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        value = _decode_value(tagged)
    except (ValueError, TypeError, binascii.Error, InvalidOperation):
        return None
    if sort_in != sort or not isinstance(row_id, int) or isinstance(row_id, bool):
        return None
    return value, row_id


@dataclass(frozen=True)
class Page:
    rows: Sequence[Any]
    next_cursor: str | None
    prev_cursor: str | None


def keyset_page(
    session: Session,
    stmt: Select[Any],
    *,
    sort: str,
    column: Any,
    id_column: Any,
    key_of: Callable[[Any], tuple[Any, int]],
    after: str | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of ``stmt`` ordered by (``column``, ``id_column``), descending
    when ``sort`` starts with "-". ``key_of(row)`` reads (sort value, id) back
    from a row. ``column`` must not be NULL (coalesce it in the caller)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    descending = sort.startswith("-")
    token = after or before
    decoded = decode_cursor(token, sort) if token else None
    backwards = decoded is not None and not after
    if decoded is not None:
        value, row_id = decoded
        position = tuple_(column, id_column)
        bound = tuple_(literal(value, column.type), literal(row_id, id_column.type))
        stmt = stmt.where(position < bound if descending != backwards else position > bound)
    reverse = descending != backwards
    order = (column.desc(), id_column.desc()) if reverse else (column.asc(), id_column.asc())
    rows = list(session.execute(stmt.order_by(*order).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    if not rows:
        return Page(rows, None, None)
    first = encode_cursor(sort, *key_of(rows[0]))
    last = encode_cursor(sort, *key_of(rows[-1]))
    if backwards:
        return Page(rows, next_cursor=last, prev_cursor=first if more else None)
    return Page(rows, next_cursor=last if more else None, prev_cursor=first if decoded else None)
