"""Reading an uploaded file as rows of text: the API the import job and the preview use.

``detect_layout`` finds the format (from content), the encoding and the delimiter once;
the preview shows them and lets a person change them, and the import job stores the
``Layout`` it ran with. ``read_rows`` then streams rows (constant memory, whatever the size)
and resumes after a row number: the job records the number of the last row it committed
and, after a crash, passes it as ``start_after``; the file is re-read from the start and
the rows up to it are skipped without being kept (re-parsing is cheap next to importing,
see ``bench/README.md``).

Rows are numbered as a spreadsheet shows them (1-based; the header is usually row 1), so
an error message's row number is the one the user finds in Excel. Blank rows are skipped
but keep their numbers; trailing empty cells are dropped. The first non-blank row is the
header; the row limit counts the rows after it.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

from crm_core.transfer.csv_files import (
    check_encoding,
    csv_records,
    detect_delimiter,
    sep_line_delimiter,
)
from crm_core.transfer.encodings import detect_encoding
from crm_core.transfer.formats import FileFormat, detect_format
from crm_core.transfer.limits import DEFAULT_LIMITS, FileRefused, Limits, check_row
from crm_core.transfer.spreadsheets import xls_records, xlsx_declared_rows, xlsx_records

__all__ = [
    "FileFormat",
    "FileRefused",
    "Layout",
    "Limits",
    "Preview",
    "Row",
    "detect_layout",
    "preview",
    "read_rows",
]

_ESTIMATE_SAMPLE = 1024 * 1024


@dataclass(frozen=True)
class Layout:
    """How to read a file: its format and, for CSV, its encoding and delimiter."""

    format: FileFormat
    encoding: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True)
class Row:
    number: int  # 1-based, as the spreadsheet shows it
    values: list[str]


@dataclass(frozen=True)
class Preview:
    layout: Layout
    header: Row | None
    rows: list[Row]
    total_rows: int  # data rows after the header
    total_is_exact: bool  # False: an estimate from the file size or the sheet's declared size


def detect_layout(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    language: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Layout:
    """The file's layout; ``encoding`` / ``delimiter`` override the guesses for CSV.

    ``language`` (the uploader's: en / ro / lt / fr) breaks ties between code pages.
    """
    file_format = detect_format(path, limits)
    if file_format is not FileFormat.CSV:
        return Layout(file_format)
    encoding = check_encoding(encoding) if encoding else detect_encoding(path, language)
    if delimiter is not None and (len(delimiter) != 1 or delimiter in '"\r\n'):
        raise FileRefused("Choose one character as the delimiter, such as ; or , or a tab.")
    return Layout(file_format, encoding, delimiter or detect_delimiter(path, encoding))


def read_rows(
    path: str | os.PathLike[str],
    layout: Layout | None = None,
    *,
    start_after: int = 0,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[Row]:
    """Every non-blank row (header included) whose number is above ``start_after``.

    Raises ``FileRefused`` as soon as the file breaks a limit or cannot be decoded; a caller
    that must write nothing for such a file reads it through once first (a dry run).
    """
    if layout is None:
        layout = detect_layout(path, limits=limits)
    else:
        detect_format(path, limits)  # size and content checks still apply to a stored layout
    records = _records(path, layout)
    seen = 0  # non-blank rows so far, header included
    try:
        for number, values in records:
            while values and not values[-1].strip():
                values.pop()
            if not values:
                continue
            seen += 1
            check_row(number, values, seen - 1, limits)
            if number > start_after:
                yield Row(number, values)
    finally:
        records.close()


def preview(
    path: str | os.PathLike[str],
    encoding: str | None = None,
    delimiter: str | None = None,
    rows: int = 10,
    *,
    language: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Preview:
    """The layout, the header and the first ``rows`` data rows, and how many rows there are.

    The total is exact when the preview reached the end of the file or the file is small;
    for a large CSV it is estimated from the first megabyte, for XLSX from the sheet's
    declared size.
    """
    layout = detect_layout(path, encoding=encoding, delimiter=delimiter, language=language, limits=limits)
    header: Row | None = None
    first: list[Row] = []
    stream = read_rows(path, layout, limits=limits)
    reached_end = True
    try:
        for row in stream:
            if header is None:
                header = row
            elif len(first) < rows:
                first.append(row)
            else:
                reached_end = False
                break
    finally:
        stream.close()
    if reached_end:
        return Preview(layout, header, first, len(first), True)
    total, exact = _total_rows(path, layout, header, limits)
    return Preview(layout, header, first, max(total, len(first) + 1), exact)


def _records(path: str | os.PathLike[str], layout: Layout) -> Generator[tuple[int, list[str]]]:
    if layout.format is FileFormat.XLSX:
        return xlsx_records(path)
    if layout.format is FileFormat.XLS:
        return xls_records(path)
    assert layout.encoding and layout.delimiter, "a CSV layout names its encoding and delimiter"
    return csv_records(path, layout.encoding, layout.delimiter)


def _total_rows(
    path: str | os.PathLike[str], layout: Layout, header: Row | None, limits: Limits
) -> tuple[int, bool]:
    header_number = header.number if header else 0
    if layout.format is FileFormat.XLS:
        return sum(1 for _ in read_rows(path, layout, start_after=header_number, limits=limits)), True
    if layout.format is FileFormat.XLSX:
        declared = xlsx_declared_rows(path)
        return (declared - header_number if declared else 0), False
    size = Path(path).stat().st_size
    if size <= _ESTIMATE_SAMPLE:
        return sum(1 for _ in read_rows(path, layout, start_after=header_number, limits=limits)), True
    return _estimate_csv_rows(path, layout, size) - 1, False


def _estimate_csv_rows(path: str | os.PathLike[str], layout: Layout, size: int) -> int:
    """Records in the first megabyte (up to its last line break), scaled to the file size."""
    assert layout.encoding and layout.delimiter
    with open(path, "rb") as file:
        sample = file.read(_ESTIMATE_SAMPLE)
    sample = sample[: max(sample.rfind(b"\n"), sample.rfind(b"\r")) + 1]
    text = io.StringIO(codecs.getincrementaldecoder(layout.encoding)("replace").decode(sample), newline="")
    if sep_line_delimiter(text.readline()) is None:
        text.seek(0)
    try:
        records = sum(1 for _ in csv.reader(text, delimiter=layout.delimiter))
    except csv.Error:
        records = text.getvalue().count("\n")
    return round(records * size / max(len(sample), 1))
