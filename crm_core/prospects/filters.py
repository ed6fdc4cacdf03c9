"""What a prospects list shows: filters and sort, parsed from a query string
and written back to one, so a filtered view is a URL to bookmark, share or
save. Parsing never fails: a bad value is reported and left out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from marshmallow import ValidationError

from crm_core.prospects.schemas import FilterSchema

TEXT_FILTERS = ("name", "company", "email", "phone", "registration_code")
ID_FILTERS = ("status", "priority", "source", "form")
DEFAULT_SORT = "-created"
OWNER_ME = "me"
OWNER_NONE = "none"


@dataclass(frozen=True)
class ProspectFilter:
    q: str = ""
    created_from: date | None = None
    created_to: date | None = None
    # Owner tokens: user ids, "me" (whoever looks) or "none" (unassigned).
    owner: tuple[str, ...] = ()
    status: tuple[int, ...] = ()
    priority: tuple[int, ...] = ()
    source: tuple[int, ...] = ()
    form: tuple[int, ...] = ()
    name: str = ""
    company: str = ""
    email: str = ""
    phone: str = ""
    registration_code: str = ""
    tasks: str = ""
    sort: str = DEFAULT_SORT

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def is_empty(self) -> bool:
        """No condition at all (the sort does not count)."""
        return self.without_sort() == ProspectFilter()

    def without_sort(self) -> ProspectFilter:
        return replace(self, sort=DEFAULT_SORT)

    def sorted_by(self, key: str) -> ProspectFilter:
        """The same filter sorted by ``key``, flipping direction if already sorted by it."""
        if self.sort_key == key:
            return replace(self, sort=key if self.descending else f"-{key}")
        return replace(self, sort=f"-{key}" if key == "created" else key)

    def query_items(self) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "sort":
                if value != DEFAULT_SORT:
                    items.append(("sort", value))
            elif isinstance(value, tuple):
                items.extend((f.name, str(v)) for v in value)
            elif isinstance(value, date):
                items.append((f.name, value.isoformat()))
            elif value:
                items.append((f.name, value))
        return items

    def to_query(self, **extra: str) -> str:
        """A normalised query string: same filter, same string."""
        return urlencode(self.query_items() + [(k, v) for k, v in extra.items() if v])


_LIST_FIELDS = ("owner", *ID_FILTERS)
_schema = FilterSchema()


def parse_filter(args: Mapping[str, Any]) -> tuple[ProspectFilter, dict[str, list[str]]]:
    """``request.args`` (or any mapping; list values allowed) → the filter and
    per-field errors for values that were ignored."""
    data: dict[str, Any] = {}
    for name in _schema.fields:
        values = _values(args, name)
        values = [v.strip() for v in values if v.strip()]
        if not values:
            continue
        data[name] = values if name in _LIST_FIELDS else values[0]
    errors: dict[str, list[str]] = {}
    try:
        loaded = _schema.load(data)
    except ValidationError as exc:
        messages: dict[str, Any] = exc.messages  # type: ignore[assignment]
        errors = {name: _flatten(msg) for name, msg in messages.items()}
        loaded = _schema.load({k: v for k, v in data.items() if k not in errors})
    cleaned: dict[str, Any] = {}
    for name, value in loaded.items():
        if name in _LIST_FIELDS:
            cleaned[name] = tuple(dict.fromkeys(value))  # de-duplicated, order kept
        else:
            cleaned[name] = value
    start, end = cleaned.get("created_from"), cleaned.get("created_to")
    if start and end and start > end:
        errors["created_to"] = ["The end date is before the start date."]
        del cleaned["created_to"]
    return ProspectFilter(**cleaned), errors


def _values(args: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(args, "getlist", None)
    if getlist is not None:
        return [str(v) for v in getlist(name)]
    value = args.get(name)
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [str(value)]
    return [str(v) for v in value]


def _flatten(message: Any) -> list[str]:
    if isinstance(message, dict):
        return [m for sub in message.values() for m in _flatten(sub)]
    if isinstance(message, list):
        return [m for sub in message for m in _flatten(sub)]
    return [str(message)]
