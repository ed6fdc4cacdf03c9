"""What the lists' filters share: the owner filter's tokens — user ids, "me"
(whoever looks) — resolved for the viewer, and a filter written back to a
normalised query string, so a filtered view is a URL to bookmark or save."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import date
from typing import Any
from urllib.parse import urlencode

from crm_core.users.models import User

OWNER_ME = "me"
DEFAULT_SORT = "-created"
# Ids live in 32-bit integer columns: a bigger number is nobody, not a database error.
MAX_ID = 2**31 - 1


def owner_ids(tokens: Iterable[str], viewer: User) -> list[int]:
    ids = {
        viewer.id if item == OWNER_ME else int(item)
        for item in tokens
        if item == OWNER_ME or (item.isdigit() and 0 < int(item) <= MAX_ID)
    }
    return sorted(ids)


def query_items(flt: Any, default_sort: str = DEFAULT_SORT) -> list[tuple[str, str]]:
    """The filter dataclass ``flt`` as (name, value) pairs, in field order,
    leaving out empty conditions, the default sort and parse ``errors``."""
    items: list[tuple[str, str]] = []
    for f in fields(flt):
        value = getattr(flt, f.name)
        if f.name == "errors" or value is None or value == "" or value == ():
            continue
        if f.name == "sort":
            if value != default_sort:
                items.append(("sort", str(value)))
        elif isinstance(value, tuple):
            items.extend((f.name, str(v)) for v in value)
        elif isinstance(value, date):
            items.append((f.name, value.isoformat()))
        else:
            items.append((f.name, str(value)))
    return items


def to_query(flt: Any, default_sort: str = DEFAULT_SORT, **extra: str) -> str:
    """A normalised query string: the same filter gives the same string."""
    return urlencode(query_items(flt, default_sort) + [(k, v) for k, v in extra.items() if v])


def is_unfiltered(flt: Any, default_sort: str = DEFAULT_SORT) -> bool:
    """No condition at all (the sort does not count)."""
    return not [item for item in query_items(flt, default_sort) if item[0] != "sort"]
