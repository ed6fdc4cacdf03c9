"""How big an uploaded file may be, and the error that refuses one.

The limits are parameters (``Limits``) rather than constants so an admin setting or a test
can change them; the defaults are the issue's: 50 MB, a million rows, 200 columns, and
Excel's own 32,767 characters per cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_core.errors import DomainError


class FileRefused(DomainError):
    """An upload that cannot be read as a spreadsheet; ``str(err)`` says why in plain words."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 1_000_000  # data rows, not counting the header row
    max_columns: int = 200
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    # A zip member (XLSX part) may expand at most this much; real sheets compress 5-20x.
    max_zip_ratio: int = 100
    max_unzipped_bytes: int = 2 * 1024 * 1024 * 1024


DEFAULT_LIMITS = Limits()


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def check_row(number: int, values: list[str], data_rows: int, limits: Limits) -> None:
    """Refuse a row over the column or cell limits, or one past the row limit.

    ``data_rows`` counts the non-blank rows after the header, this one included.
    """
    if data_rows > limits.max_rows:
        raise FileRefused(
            f"The file has more than {limits.max_rows:,} rows; split it into smaller files "
            f"(row {number:,} is over the limit)."
        )
    if len(values) > limits.max_columns:
        raise FileRefused(
            f"Row {number:,} has {len(values):,} columns; at most {limits.max_columns:,} are allowed."
        )
    if max(map(len, values), default=0) <= limits.max_cell_chars:
        return
    for index, value in enumerate(values):
        if len(value) > limits.max_cell_chars:
            raise FileRefused(
                f"Row {number:,}, column {column_name(index)}: the cell has {len(value):,} characters; "
                f"at most {limits.max_cell_chars:,} are allowed."
            )


def column_name(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA": the column letters people see in a spreadsheet."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
