"""Reading CSV files: the delimiter, Excel's ``sep=`` line, and the records themselves.

``csv.Sniffer`` guesses wrong as soon as a quoted field holds the other delimiter (a
``,`` file whose addresses read ``"Str. Florilor 5; ap. 2"``), so the delimiter is chosen
by parsing the first lines with each candidate through ``csv.reader`` itself, which
honours quotes, and keeping the one that splits the lines into the same number of fields
most consistently (more fields wins a tie, then the order ``; , tab |``).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from collections.abc import Generator
from typing import TextIO

from crm_core.transfer.limits import FileRefused

DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {";": "semicolon", ",": "comma", "\t": "tab", "|": "vertical bar"}
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_RECORDS = 50
# Excel writes and reads a first line "sep=;" naming the delimiter; it is not a row.
_SEP_LINE = re.compile(r"sep=(.)\r?\n?\Z")


def check_encoding(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise FileRefused(f"'{encoding}' is not a text encoding this system knows.") from None


def sep_line_delimiter(first_line: str) -> str | None:
    match = _SEP_LINE.match(first_line)
    return match.group(1) if match else None


def detect_delimiter(path: str | os.PathLike[str], encoding: str) -> str:
    """The most consistent of ``DELIMITERS`` on the first lines (or the ``sep=`` line's)."""
    with _open(path, encoding) as file:
        try:
            first = file.readline()
            if hinted := sep_line_delimiter(first):
                return hinted
            sample = first + file.read(_SAMPLE_CHARS)
        except UnicodeDecodeError:
            raise FileRefused(_not_in(path, encoding)) from None
        complete = len(sample) < _SAMPLE_CHARS
    best: tuple[float, int, int] | None = None
    chosen = ","
    for rank, delimiter in enumerate(DELIMITERS):
        counts = _field_counts(sample, delimiter, complete)
        if not counts:
            continue
        modal, seen = Counter(counts).most_common(1)[0]
        if modal < 2:
            continue
        score = (seen / len(counts), modal, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def _field_counts(sample: str, delimiter: str, complete: bool) -> list[int]:
    counts: list[int] = []
    try:
        for values in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter):
            if values:
                counts.append(len(values))
            if len(counts) > _SAMPLE_RECORDS:
                break
    except csv.Error:
        pass  # a sample cut inside a quoted field
    if not complete and counts:
        counts.pop()  # the last record may be cut short
    return counts


def csv_records(
    path: str | os.PathLike[str], encoding: str, delimiter: str
) -> Generator[tuple[int, list[str]]]:
    """Every record with its 1-based number, blank ones included, as a spreadsheet counts them.

    The number counts records, not lines: a quoted cell with line breaks is one row, as
    Excel shows it. An Excel ``sep=`` first line is skipped and not counted.
    """
    number = 0
    with _open(path, encoding) as file:
        try:
            first = file.readline()
            if sep_line_delimiter(first) is None:
                file.seek(0)
            for values in csv.reader(
                file, delimiter=delimiter, quotechar='"', doublequote=True, strict=False
            ):
                number += 1
                yield number, values
        except UnicodeDecodeError:
            raise FileRefused(_not_in(path, encoding)) from None
        except csv.Error as err:
            raise FileRefused(_csv_error(number + 1, str(err))) from None


def _not_in(path: str | os.PathLike[str], encoding: str) -> str:
    return (
        f"Line {_undecodable_line(path, encoding):,} cannot be read as {encoding}: the file is in "
        "another text encoding. Choose the file's encoding and try again."
    )


def _undecodable_line(path: str | os.PathLike[str], encoding: str) -> int:
    """The 1-based line holding the first bytes ``encoding`` cannot decode.

    Text files decode in blocks, so the error surfaces at the block, not at the row; this
    finds the exact place again (only on the error path).
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 1
    with open(path, "rb") as file:
        while chunk := file.read(64 * 1024):
            try:
                lines += decoder.decode(chunk).count("\n")
            except UnicodeDecodeError as err:
                good = codecs.getincrementaldecoder(encoding)("replace").decode(chunk[: err.start])
                return lines + good.count("\n")
    return lines


def _csv_error(number: int, message: str) -> str:
    if "field larger than field limit" in message:
        return (
            f"Row {number:,}: a cell is longer than {csv.field_size_limit():,} characters, usually "
            'because a quote (") is opened and never closed.'
        )
    if "NUL" in message:
        return f"Row {number:,} holds binary data (a NUL character); this is not a text file."
    return f"Row {number:,} cannot be read as CSV ({message})."


def _open(path: str | os.PathLike[str], encoding: str) -> TextIO:
    return open(path, encoding=encoding, errors="strict", newline="")
