"""A report table as a CSV file a spreadsheet opens safely.

Visitors type prospect names, and a spreadsheet runs a cell that starts with
``=``, ``+``, ``-``, ``@`` (or a tab or carriage return before one) as a
formula — ``=HYPERLINK(…)`` from a web form must stay text. Such a cell gets a
leading apostrophe, which spreadsheets show as text and do not display (the
OWASP "CSV injection" advice). The delimiter follows the reader's locale
(``;`` where the decimal mark is a comma), and the file starts with a UTF-8
byte order mark so Excel reads ș, ė and é as typed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from crm_core.reports.tables import Column, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table_csv(table: Table, cell_text: Callable[[Column, Any], str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [neutralise(cell_text(column, value)) for column, value in zip(table.columns, row, strict=True)]
        )
    return BOM + buffer.getvalue()
