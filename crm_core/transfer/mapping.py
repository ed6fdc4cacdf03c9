"""A file row → the prospect data the domain service takes, through the chosen mapping.

Text cells go in as they are (the prospect rules trim and check them); status, source,
priority and owner cells are names, matched to an existing choice in any of the four
languages (``values.ValueMatcher``; owners by name or email). A blank cell gets the chosen
default; a name that matches nothing is mapped to the chosen value or fails the row with
a message that lists what would have matched. Every problem names its column and value,
so a person can find the cell in their spreadsheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.lists.models import Priority, Source, Status
from crm_core.transfer.limits import column_name
from crm_core.transfer.schemas import LIST_FIELDS, ImportOptions
from crm_core.transfer.values import VOCABULARY, ValueMatcher
from crm_core.transfer.writing import restore_neutralised
from crm_core.users.models import User

_MAX_LISTED = 8
_MAX_VALUE = 500


@dataclass(frozen=True)
class RowError:
    row_number: int
    column_index: int | None
    column: str
    value: str
    message: str

    def as_row(self, import_id: int) -> dict[str, Any]:
        return {
            "import_id": import_id,
            "row_number": self.row_number,
            "column_index": self.column_index,
            "column": self.column[:200],
            "value": self.value[:_MAX_VALUE],
            "message": self.message[:500],
        }


@dataclass(frozen=True)
class MappedRow:
    """A row's values by prospect field (lookups as id strings), as the file gave them."""

    number: int
    values: dict[str, str]
    cells: dict[str, str]  # field key → the cell as the file has it (for messages)

    def for_create(self, defaults: Mapping[str, int | None]) -> dict[str, str]:
        """The values, with the chosen defaults where the file left a list field blank."""
        data = dict(self.values)
        for name, default in defaults.items():
            key = f"{name}_id"
            if not data.get(key) and default is not None:
                data[key] = str(default)
        return data

    def for_update(self) -> dict[str, str]:
        """Only the cells the file filled: an empty cell never erases what a prospect has."""
        return {key: value for key, value in self.values.items() if value.strip()}


class Choices:
    """The names of every status, source, priority and active user, read once per import."""

    def __init__(self, session: Session) -> None:
        self.names: dict[str, dict[int, str]] = {
            "status": _names(session, Status),
            "source": _names(session, Source),
            "priority": _names(session, Priority),
        }
        users = list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.id)))
        self.names["owner"] = {user.id: user.display_name for user in users}
        owner_keys: dict[str, int] = {}
        for user in users:
            for key in (user.display_name, user.email, user.name):
                if key:
                    owner_keys.setdefault(key, user.id)
        self.matchers: dict[str, ValueMatcher[int]] = {
            name: ValueMatcher({label: key for key, label in self.names[name].items()}, VOCABULARY.get(name))
            for name in ("status", "source", "priority")
        }
        self.matchers["owner"] = ValueMatcher(owner_keys)


def _names(session: Session, model: type[Status] | type[Source] | type[Priority]) -> dict[int, str]:
    rows = session.execute(select(model.id, model.name).order_by(model.position, model.id))
    return {row.id: row.name for row in rows}


class RowMapper:
    def __init__(
        self,
        header: Sequence[str],
        mapping: Sequence[str | None],
        options: ImportOptions,
        choices: Choices,
        *,
        neutralised: bool,
    ) -> None:
        """``neutralised``: the file is a CSV, whose cells may carry the apostrophe our CSV
        writer puts before formula-like text (the failed-rows file coming back)."""
        self._header = list(header)
        self._columns = [(index, key) for index, key in enumerate(mapping) if key is not None]
        self._column_of = {key: index for index, key in self._columns}
        self._options = options
        self._choices = choices
        self._neutralised = neutralised
        self._matched: dict[tuple[str, str], int | None] = {}  # the same few names fill whole columns

    def column(self, index: int | None) -> str:
        """``"C · Email"``: the column's letter and its header, as the person sees them."""
        if index is None:
            return ""
        name = self._header[index] if index < len(self._header) else ""
        return f"{column_name(index)} · {name}" if name else column_name(index)

    def column_of(self, field: str) -> int | None:
        """The column mapped to a prospect attribute (``status_id`` → the status column)."""
        return self._column_of.get(field.removesuffix("_id"))

    def map(self, number: int, values: Sequence[str]) -> tuple[MappedRow, list[RowError]]:
        data: dict[str, str] = {}
        cells: dict[str, str] = {}
        errors: list[RowError] = []
        for index, key in self._columns:
            raw = values[index] if index < len(values) else ""
            if self._neutralised:
                raw = restore_neutralised(raw)
            cells[key] = raw
            if key not in LIST_FIELDS:
                data[key] = raw
                continue
            text = raw.strip()
            if not text:
                continue
            found = (key, text)
            if found in self._matched:
                matched = self._matched[found]
            else:
                matched = self._matched[found] = self._choices.matchers[key].match(text)
            if matched is None:
                matched = self._options.unknown.get(key)
            if matched is None:
                errors.append(RowError(number, index, self.column(index), raw, self._unknown(key, text)))
                continue
            data[f"{key}_id"] = str(matched)
        return MappedRow(number, data, cells), errors

    def _unknown(self, key: str, text: str) -> str:
        names = list(self._choices.names[key].values())
        noun = {"status": "status", "source": "source", "priority": "priority", "owner": "active user"}[key]
        listed = ", ".join(names[:_MAX_LISTED]) + (", …" if len(names) > _MAX_LISTED else "")
        if not names:
            return f"“{text[:100]}” is not a {noun}: there are none to choose from."
        return f"“{text[:100]}” is not a {noun} here; use one of: {listed}."

    def field_errors(self, number: int, fields: Mapping[str, list[str]], row: MappedRow) -> list[RowError]:
        """The prospect rules' messages (``ValidationFailed.fields``) on their columns."""
        errors = []
        for field, messages in fields.items():
            index = self.column_of(field)
            value = row.cells.get(field.removesuffix("_id"), "")
            errors.append(RowError(number, index, self.column(index), value, " ".join(messages)))
        return errors
