"""The import template people download: every importable field, headers in their language,
one example row, and (XLSX) a second sheet listing the allowed statuses, sources and
priorities. The lists are passed in as plain names, so this module needs no database.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from crm_core.transfer.fields import PROSPECT_FIELDS, ImportField
from crm_core.transfer.writing import csv_chunks, delimiter_for, xlsx_cells

_SHEET_TITLES = {
    "en": ("Prospects", "Allowed values"),
    "ro": ("Prospecți", "Valori permise"),
    "lt": ("Potencialūs klientai", "Leistinos reikšmės"),
    "fr": ("Prospects", "Valeurs autorisées"),
}


def template_rows(
    language: str,
    *,
    statuses: Sequence[str] = (),
    sources: Sequence[str] = (),
    priorities: Sequence[str] = (),
    owner: str = "",
    fields: Sequence[ImportField] = PROSPECT_FIELDS,
) -> tuple[list[str], list[str]]:
    """The header and the example row; list fields show their first allowed value."""
    firsts = {
        "status": statuses[0] if statuses else "",
        "source": sources[0] if sources else "",
        "priority": priorities[0] if priorities else "",
        "owner": owner,
    }
    header = [field.header(language) for field in fields]
    example = [
        firsts.get(field.key) or field.example.get(language) or field.example.get("en", "")
        for field in fields
    ]
    return header, example


def template_csv(
    language: str,
    *,
    delimiter: str | None = None,
    statuses: Sequence[str] = (),
    sources: Sequence[str] = (),
    priorities: Sequence[str] = (),
    owner: str = "",
) -> bytes:
    """The CSV template (UTF-8 with BOM), with the language's usual delimiter unless given."""
    header, example = template_rows(
        language, statuses=statuses, sources=sources, priorities=priorities, owner=owner
    )
    return b"".join(csv_chunks([header, example], delimiter=delimiter or delimiter_for(language)))


def write_template_xlsx(
    target: str | os.PathLike[str] | BinaryIO,
    language: str,
    *,
    statuses: Sequence[str] = (),
    sources: Sequence[str] = (),
    priorities: Sequence[str] = (),
    owner: str = "",
) -> None:
    """The XLSX template: the fields on the first sheet, the allowed values on the second."""
    header, example = template_rows(
        language, statuses=statuses, sources=sources, priorities=priorities, owner=owner
    )
    data_title, values_title = _SHEET_TITLES.get(language, _SHEET_TITLES["en"])
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet(data_title)
    for index, (name, value) in enumerate(zip(header, example, strict=True), start=1):
        data.column_dimensions[get_column_letter(index)].width = max(12, len(name), len(value)) + 2
    data.freeze_panes = "A2"
    data.append(xlsx_cells(data, header, bold=True))
    data.append(xlsx_cells(data, example))

    lists = {field.key: field.header(language) for field in PROSPECT_FIELDS}
    columns = [(lists["status"], statuses), (lists["source"], sources), (lists["priority"], priorities)]
    allowed = workbook.create_sheet(values_title)
    for index, (name, values) in enumerate(columns, start=1):
        allowed.column_dimensions[get_column_letter(index)].width = (
            max([14, len(name), *map(len, values)]) + 2
        )
    allowed.append(xlsx_cells(allowed, [name for name, _ in columns], bold=True))
    for position in range(max(len(values) for _, values in columns)):
        allowed.append(
            xlsx_cells(
                allowed, [values[position] if position < len(values) else None for _, values in columns]
            )
        )
    workbook.save(target)


def template_xlsx(
    language: str,
    *,
    statuses: Sequence[str] = (),
    sources: Sequence[str] = (),
    priorities: Sequence[str] = (),
    owner: str = "",
) -> bytes:
    """``write_template_xlsx`` into bytes (the template is a few kilobytes)."""
    buffer = io.BytesIO()
    write_template_xlsx(
        buffer, language, statuses=statuses, sources=sources, priorities=priorities, owner=owner
    )
    return buffer.getvalue()
