"""The prospects list as spreadsheet rows: the same filters, sort and visibility as the list
(a sales user exports only what they own), every field, lookups by name, headers in the
chosen language — the import template's headers, so an export imports back with no mapping
to do.

Rows stream from one query read in chunks (``yield_per``: a server-side cursor on
PostgreSQL), so memory stays flat at a million rows; ``writing`` neutralises formulas.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.prospects.filters import ProspectFilter
from crm_core.prospects.labels import ListSnapshot
from crm_core.prospects.models import Prospect
from crm_core.prospects.queries import SORT_COLUMNS, matching_clauses
from crm_core.transfer.fields import FIELDS_BY_KEY, LANGUAGES
from crm_core.transfer.writing import write_xlsx
from crm_core.users.models import User

CHUNK = 2000
_TEXT = (
    "name", "company", "trade_register_no", "registration_code", "address", "postal_code", "city",
    "county", "country", "phone", "email", "description",
)  # fmt: skip
_LOOKUPS = ("status", "source", "priority", "owner")
COLUMNS = ("id", *_TEXT, *_LOOKUPS, "form", "created")
_OWN_HEADERS = {
    "id": {"en": "ID", "ro": "ID", "lt": "ID", "fr": "ID"},
    "form": {"en": "Form", "ro": "Formular", "lt": "Forma", "fr": "Formulaire"},
    "created": {"en": "Created (UTC)", "ro": "Creat la (UTC)", "lt": "Sukurta (UTC)", "fr": "Créé le (UTC)"},
}
_SHEET = {"en": "Prospects", "ro": "Prospecți", "lt": "Potencialūs klientai", "fr": "Prospects"}
_SELECTED = (
    Prospect.id,
    *(getattr(Prospect, name) for name in _TEXT),
    Prospect.status_id,
    Prospect.source_id,
    Prospect.priority_id,
    Prospect.owner_id,
    Prospect.form_id,
    Prospect.created_at,
)


def export_header(language: str) -> list[str]:
    language = language if language in LANGUAGES else "en"
    return [
        _OWN_HEADERS[key][language] if key in _OWN_HEADERS else FIELDS_BY_KEY[key].header(language)
        for key in COLUMNS
    ]


def file_name(kind: str, extension: str, stamp: str) -> str:
    return f"{kind}-{stamp}.{extension}"


def prospect_rows(session: Session, viewer: User, flt: ProspectFilter) -> Iterator[tuple[Any, ...]]:
    """Every prospect of the list ``flt`` describes for ``viewer``, in the list's order."""
    lists = ListSnapshot.load(session)
    statuses = {key: value.name for key, value in lists.statuses.items()}
    sources = {key: value.name for key, value in lists.sources.items()}
    priorities = {key: value.name for key, value in lists.priorities.items()}
    owners = {key: value.display_name for key, value in lists.users.items()}
    forms = lists.forms
    column = SORT_COLUMNS[flt.sort_key]
    order = (column.desc(), Prospect.id.desc()) if flt.descending else (column.asc(), Prospect.id.asc())
    stmt = (
        select(*_SELECTED)
        .where(*matching_clauses(flt, viewer))
        .order_by(*order)
        .execution_options(yield_per=CHUNK)
    )
    texts = len(_TEXT)
    for row in session.execute(stmt):
        status_id, source_id, priority_id, owner_id, form_id, created = row[texts + 1 :]
        yield (
            *row[: texts + 1],
            statuses.get(status_id, "") if status_id else "",
            sources.get(source_id, "") if source_id else "",
            priorities.get(priority_id, "") if priority_id else "",
            owners.get(owner_id, "") if owner_id else "",
            forms.get(form_id, "") if form_id else "",
            created,
        )


def write_prospects_xlsx(
    session: Session, viewer: User, flt: ProspectFilter, language: str, path: str | os.PathLike[str]
) -> int:
    """The list as an XLSX file at ``path`` (written beside it, then moved in place, so a
    half-written file is never offered); returns the number of rows."""
    count = 0

    def counted() -> Iterator[tuple[Any, ...]]:
        nonlocal count
        for row in prospect_rows(session, viewer, flt):
            count += 1
            yield row

    target = Path(path)
    partial = target.with_name(target.name + ".part")
    write_xlsx(partial, counted(), header=export_header(language), title=_SHEET.get(language, "Prospects"))
    os.replace(partial, target)
    return count
