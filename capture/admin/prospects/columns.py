"""Which list columns each user sees, and in what order: a small cookie per
user (``name,company,status…``), changed through a POST form."""

from __future__ import annotations

from collections.abc import Sequence

from flask import Request, Response

from crm_core.prospects.labels import COLUMN_LABELS

DEFAULT_COLUMNS = ("name", "company", "status", "priority", "owner", "source", "email", "phone", "created")
# Every column but these can be sorted on: the form, and the task and activity
# summary (nullable, with no (column, id) index for a keyset page to walk).
SORTABLE = frozenset(COLUMN_LABELS) - {"form", "next_task_due", "last_activity"}
_MAX_AGE = 365 * 24 * 3600


def _cookie_name(user_id: int) -> str:
    return f"lc_columns_{user_id}"


def clean_columns(keys: Sequence[str]) -> list[str]:
    """Known keys, each once, the name always first-class (it links to the prospect)."""
    columns = [k for k in dict.fromkeys(keys) if k in COLUMN_LABELS]
    if "name" not in columns:
        columns.insert(0, "name")
    return columns


def chosen_columns(request: Request, user_id: int) -> list[str]:
    raw = request.cookies.get(_cookie_name(user_id))
    return clean_columns(raw.split(",")) if raw else list(DEFAULT_COLUMNS)


def all_columns_in_order(chosen: Sequence[str]) -> list[str]:
    """The chosen columns first, in their order, then the hidden ones."""
    return [*chosen, *(k for k in COLUMN_LABELS if k not in chosen)]


def apply_column_form(order: Sequence[str], visible: Sequence[str], move: str | None) -> list[str]:
    """The column form posts every column in its current ``order``, the ticked
    ``visible`` ones and, for an arrow button, ``move`` = ``"email:up"``."""
    ordered = [k for k in dict.fromkeys(order) if k in COLUMN_LABELS]
    ordered += [k for k in COLUMN_LABELS if k not in ordered]
    if move and ":" in move:
        key, direction = move.split(":", 1)
        if key in ordered:
            index = ordered.index(key)
            target = index - 1 if direction == "up" else index + 1
            if 0 <= target < len(ordered):
                ordered[index], ordered[target] = ordered[target], ordered[index]
    shown = set(visible)
    return clean_columns([k for k in ordered if k in shown])


def store_columns(response: Response, user_id: int, columns: Sequence[str], secure: bool) -> None:
    response.set_cookie(
        _cookie_name(user_id),
        ",".join(columns),
        max_age=_MAX_AGE,
        path="/admin",
        secure=secure,
        httponly=True,
        samesite="Lax",
    )
