"""A report table as a CSV file a spreadsheet opens safely, through the one
CSV writer (``crm_core.transfer.writing``): every cell as the reader sees it
on the page, a UTF-8 byte order mark so Excel reads ș, ė and é as typed, the
delimiter of the reader's locale (``;`` where the decimal mark is a comma),
and any cell a spreadsheet would run as a formula (``=HYPERLINK(…)`` typed
into a web form) made inert with a leading apostrophe."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crm_core.reports.tables import Column, Table
from crm_core.transfer.writing import csv_chunks


def table_csv(table: Table, cell_text: Callable[[Column, Any], str], delimiter: str = ",") -> str:
    header = [column.label for column in table.columns]
    rows = (
        [cell_text(column, value) for column, value in zip(table.columns, row, strict=True)]
        for row in table.rows
    )
    return b"".join(csv_chunks([header, *rows], delimiter=delimiter)).decode("utf-8")
