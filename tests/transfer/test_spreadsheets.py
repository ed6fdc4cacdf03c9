"""XLSX and legacy XLS: typed cells read back as the text a person would type, rows
numbered as Excel shows them, and resuming after a row."""

from __future__ import annotations

import datetime
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm_core.transfer.formats import FileFormat
from crm_core.transfer.reading import detect_layout, preview, read_rows
from crm_core.transfer.spreadsheets import cell_text

FIXTURES = Path(__file__).parent / "fixtures"
# What LibreOffice wrote into both fixtures (see fixtures/make_fixtures.py); row 4 is blank.
FIXTURE_ROWS = [
    (1, ["Nume", "Companie", "Telefon", "Cod poștal", "Valoare", "Data", "Activ", "Total"]),
    (2, ["Ştefan Ţăranu", "Agro Câmpia SRL", "722123456", "010101", "12.5", "2024-05-01", "TRUE", "25"]),
    (3, ["Ștefan Țăranu", "Ąžuolų ūkis", "37061234567", "LT-44280", "3", "2023-12-31", "FALSE", "6"]),
    (5, ["Hélène Dupré", "Cœur & Fils", "+33 6 12 34 56 78", "75002", "-1.25", "", "", "-2.5"]),
]


@pytest.mark.parametrize(
    ("name", "file_format"), [("leads.xls", FileFormat.XLS), ("leads_libreoffice.xlsx", FileFormat.XLSX)]
)
def test_libreoffice_files_read_as_text(name: str, file_format: FileFormat) -> None:
    path = FIXTURES / name
    assert detect_layout(path).format is file_format
    assert [(row.number, row.values) for row in read_rows(path)] == FIXTURE_ROWS


@pytest.mark.parametrize("name", ["leads.xls", "leads_libreoffice.xlsx"])
def test_spreadsheets_resume_after_a_row(name: str) -> None:
    path = FIXTURES / name
    assert [row.number for row in read_rows(path, start_after=1)] == [2, 3, 5]
    assert [row.number for row in read_rows(path, start_after=3)] == [5]


def test_the_extension_does_not_matter(tmp_path: Path) -> None:
    renamed = tmp_path / "leads.csv"
    renamed.write_bytes((FIXTURES / "leads.xls").read_bytes())
    assert detect_layout(renamed).format is FileFormat.XLS
    assert [row.values for row in read_rows(renamed)][1][0] == "Ştefan Ţăranu"


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_openpyxl_written_cells_of_every_type(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "typed.xlsx",
        [
            ["Name", "Phone", "Amount", "Seen", "At", "Active", "Formula"],
            [
                "Rūta Šimkutė",
                37061234567,
                12.5,
                datetime.date(2024, 2, 29),
                datetime.datetime(2024, 3, 1, 9, 30),
                True,
                "=1+1",
            ],
            [],
            [None, None, None, None, None, None, None],
            ["Zoé", "0722 123 456", Decimal("3"), None, None, False],
        ],
    )
    rows = [(row.number, row.values) for row in read_rows(path)]
    assert rows == [
        (1, ["Name", "Phone", "Amount", "Seen", "At", "Active", "Formula"]),
        # openpyxl stores no computed value for a formula: it reads as empty, never as "=1+1".
        (2, ["Rūta Šimkutė", "37061234567", "12.5", "2024-02-29", "2024-03-01 09:30:00", "TRUE"]),
        (5, ["Zoé", "0722 123 456", "3", "", "", "FALSE"]),
    ]


def test_a_wrong_declared_dimension_does_not_hide_rows(tmp_path: Path) -> None:
    source = _xlsx(tmp_path / "source.xlsx", [["Name", "City"], ["Jane", "London"], ["John", "Paris"]])
    path = tmp_path / "short_dimension.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as patched:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B3" />' in data
                data = data.replace(b'<dimension ref="A1:B3" />', b'<dimension ref="A1" />')
            patched.writestr(item, data)
    assert [row.values for row in read_rows(path)] == [
        ["Name", "City"],
        ["Jane", "London"],
        ["John", "Paris"],
    ]


def test_only_the_first_sheet_is_read(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["Name"])
    workbook.active.append(["Jane"])
    workbook.create_sheet("Allowed values").append(["Status"])
    path = tmp_path / "two.xlsx"
    workbook.save(path)
    assert [row.values for row in read_rows(path)] == [["Name"], ["Jane"]]


def test_an_xlsx_preview_estimates_from_the_declared_size(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "many.xlsx", [["Name"]] + [[f"Lead {n}"] for n in range(50)])
    shown = preview(path, rows=10)
    assert shown.header is not None and shown.header.values == ["Name"]
    assert [row.values[0] for row in shown.rows] == [f"Lead {n}" for n in range(10)]
    assert (shown.total_rows, shown.total_is_exact) == (50, False)


def test_an_xls_preview_counts_exactly() -> None:
    shown = preview(FIXTURES / "leads.xls", rows=1)
    assert (shown.total_rows, shown.total_is_exact) == (3, True)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  as typed ", "  as typed "),
        (722123456.0, "722123456"),
        (-0.5, "-0.5"),
        (1e20, "1e+20"),
        (12, "12"),
        (True, "TRUE"),
        (datetime.datetime(2024, 5, 1), "2024-05-01"),
        (datetime.datetime(2024, 5, 1, 8, 5, 3), "2024-05-01 08:05:03"),
        (datetime.time(8, 30), "08:30:00"),
        (Decimal("1.10"), "1.10"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text
