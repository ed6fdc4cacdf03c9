"""A report's CSV: a cell a spreadsheet would run as a formula stays text (the
shared writer's rule, checked here for what reports write)."""

from __future__ import annotations

import csv
import io

import pytest

from crm_core.reports.spreadsheet import table_csv
from crm_core.reports.tables import CellKind, Column, Table
from crm_core.transfer.writing import neutralise


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
        ("+40 722 123 456", "'+40 722 123 456"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Ana Popescu", "Ana Popescu"),
        ("Ștefan = boss", "Ștefan = boss"),
        ("", ""),
    ],
)
def test_formula_starts_get_an_apostrophe(typed: str, written: str) -> None:
    assert neutralise(typed) == written


def test_the_table_as_csv_with_the_readers_delimiter() -> None:
    table = Table(
        "t",
        "T",
        [Column("name", "Name"), Column("n", "Count", CellKind.COUNT)],
        [["=cmd|' /C calc'!A0", 1234], ["Élodie; Martin", 5]],
    )
    text = table_csv(
        table, lambda column, value: f"{value:,}".replace(",", ".") if column.numeric else value, ";"
    )
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]), delimiter=";")) == [
        ["Name", "Count"],
        ["'=cmd|' /C calc'!A0", "1.234"],
        ["Élodie; Martin", "5"],
    ]
