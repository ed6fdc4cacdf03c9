"""Writing rows out as CSV or XLSX, streamed, with formula injection neutralised.

Both writers take any iterable of rows (a query's results, a generator) and keep memory
flat: CSV is produced in chunks of bytes a web response can stream; XLSX goes through
openpyxl's write-only mode, which spools rows to a temporary file and zips it at the end.

Formula injection (OWASP "CSV injection"): a visitor can type ``=HYPERLINK(…)`` or
``@SUM(…)`` into a form, and a spreadsheet opening the export would evaluate it. The rule
is about *text*: values passed as numbers, dates or booleans are written as such, and
every ``str`` is made inert.

- XLSX: every text value is written as an explicit string cell (``data_type='s'``, an
  inline string), which no spreadsheet evaluates; the value a person reads is exactly
  what was stored. (openpyxl would otherwise store a text starting with ``=`` as a
  formula, and "#N/A" as an error.) Two things XML imposes: control characters other
  than tab and line breaks are dropped, and a CR reads back as LF (XML normalises line
  ends), so "a\r\nb" reads as "a\nb": the same lines.
- CSV has no cell types, so text starting with ``= + - @``, a tab, CR or LF (after any
  leading spaces, and their full-width forms) gets a leading apostrophe, the OWASP
  advice. The trade-off: a person opening the CSV sees that apostrophe (``'+40 722 …``),
  and a program reading it gets it too; ``restore_neutralised`` undoes it when such a
  file comes back to the importer (the "failed rows" file, fixed and uploaded again).
  The XLSX export has no such cost, so it is the one to offer first.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

# Characters that make a spreadsheet read a cell as a formula, with their full-width forms.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NEUTRALISER = "'"
_CHUNK_CHARS = 64 * 1024
_BOM = "\ufeff"
_BOLD = Font(bold=True)
# The delimiter Excel expects for a CSV in each language's regional settings.
_DELIMITERS = {"en": ",", "ro": ";", "lt": ";", "fr": ";"}


def delimiter_for(language: str) -> str:
    """``;`` where the decimal separator is a comma (ro / lt / fr), ``,`` for English."""
    return _DELIMITERS.get(language, ",")


def is_formula_like(text: str) -> bool:
    return text.lstrip(" ").startswith(FORMULA_TRIGGERS)


def neutralise(text: str) -> str:
    """The CSV form of a text cell: an apostrophe before anything a spreadsheet would evaluate.

    A text that already starts with apostrophes before a formula (``'=x``) gets one more, so
    ``restore_neutralised`` gives back exactly what was written.
    """
    return NEUTRALISER + text if is_formula_like(text.lstrip(NEUTRALISER)) else text


def restore_neutralised(text: str) -> str:
    """Undo ``neutralise`` on a value read back from one of our CSV files."""
    if text.startswith(NEUTRALISER) and is_formula_like(text.lstrip(NEUTRALISER)):
        return text[1:]
    return text


def csv_chunks(rows: Iterable[Sequence[object]], *, delimiter: str = ";") -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks: a BOM first (so Excel reads UTF-8), CRLF line ends."""
    buffer = io.StringIO()
    buffer.write(_BOM)
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
        if buffer.tell() >= _CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_csv(target: BinaryIO, rows: Iterable[Sequence[object]], *, delimiter: str = ";") -> None:
    for chunk in csv_chunks(rows, delimiter=delimiter):
        target.write(chunk)


def write_xlsx(
    target: str | os.PathLike[str] | BinaryIO,
    rows: Iterable[Sequence[object]],
    *,
    header: Sequence[str] | None = None,
    title: str = "Sheet1",
) -> None:
    """An XLSX workbook of one sheet; ``header`` (if given) is bold and frozen above the rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    if header is not None:
        sheet.freeze_panes = "A2"
        sheet.append(xlsx_cells(sheet, header, bold=True))
    for row in rows:
        sheet.append(xlsx_cells(sheet, row))
    workbook.save(target)


def xlsx_cells(
    sheet: WriteOnlyWorksheet, values: Iterable[object], *, bold: bool = False
) -> list[WriteOnlyCell]:
    """A row of write-only cells, text forced to be text (see the module docstring)."""
    cells = [_xlsx_cell(sheet, value) for value in values]
    if bold:
        for cell in cells:
            cell.font = _BOLD
    return cells


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return _naive_utc(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        return value
    return neutralise(str(value))


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: object) -> WriteOnlyCell:
    if isinstance(value, datetime.datetime):
        return WriteOnlyCell(sheet, value=_naive_utc(value))
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date | datetime.time):
        return WriteOnlyCell(sheet, value=value)
    # XML cannot carry most control characters: they are dropped. Excel holds at most
    # 32,767 characters in a cell: openpyxl cuts longer text there.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    # openpyxl types a text starting with "=" as a formula and "#N/A" as an error: force text.
    cell.data_type = "s"
    return cell


def _naive_utc(value: datetime.datetime) -> datetime.datetime:
    """Spreadsheets have no time zones: aware times are written in UTC."""
    if value.tzinfo is None:
        return value
    return value.astimezone(datetime.UTC).replace(tzinfo=None)
