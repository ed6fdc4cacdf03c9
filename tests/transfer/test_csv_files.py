"""CSV structure: delimiters next to quoted delimiters, line breaks inside cells, the three
line-end styles, Excel's ``sep=`` line, blank rows, and the row numbers people see."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_core.transfer.csv_files import detect_delimiter
from crm_core.transfer.limits import FileRefused
from crm_core.transfer.reading import Layout, detect_layout, preview, read_rows
from tests.transfer.samples import FRENCH, LITHUANIAN, ROMANIAN_COMMA, write_csv


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"], ids=["semicolon", "comma", "tab", "bar"])
def test_line_ends_and_cells_with_line_breaks(tmp_path: Path, line_end: str, delimiter: str) -> None:
    path = write_csv(tmp_path / "x.csv", FRENCH, "utf-8", delimiter, line_end)
    assert detect_layout(path).delimiter == delimiter
    rows = list(read_rows(path))
    assert [row.values for row in rows] == FRENCH
    # "Déjà cliente\nà relancer" spans two lines but is one row: rows are numbered as records.
    assert [row.number for row in rows] == [1, 2, 3, 4]


def test_semicolons_inside_quoted_cells_do_not_fool_the_delimiter(tmp_path: Path) -> None:
    # csv.Sniffer picks ";" here; every data row has a quoted "; " but the file is comma-separated.
    text = (
        "Name,Company,Notes\r\n"
        'Jane Smith,Acme,"call Monday; not Friday"\r\n'
        'John Brown,"Brown; Sons","met at fair; wants prices"\r\n'
    )
    path = tmp_path / "quoted.csv"
    path.write_text(text, encoding="utf-8")
    assert detect_delimiter(path, "utf-8") == ","
    assert [row.values for row in read_rows(path)][2] == [
        "John Brown",
        "Brown; Sons",
        "met at fair; wants prices",
    ]


def test_commas_in_addresses_of_a_semicolon_file(tmp_path: Path) -> None:
    # Romanian addresses carry unquoted commas ("Str. X 5, ap. 2"); the header has none.
    text = "Nume;Adresă;Localitate\nIon Pop;Str. Lalelelor 5, ap. 2;Cluj\nAna Ene;Bd. Unirii 1, bl. A;Iași\n"
    path = tmp_path / "ro.csv"
    path.write_text(text, encoding="utf-8")
    assert detect_layout(path).delimiter == ";"


def test_excel_sep_line_names_the_delimiter_and_is_not_a_row(tmp_path: Path) -> None:
    path = tmp_path / "sep.csv"
    path.write_text("sep=,\r\nNume,Oraș\r\nIon;Pop,Cluj\r\n", encoding="utf-8")
    layout = detect_layout(path)
    assert layout.delimiter == ","
    assert [(row.number, row.values) for row in read_rows(path)] == [
        (1, ["Nume", "Oraș"]),
        (2, ["Ion;Pop", "Cluj"]),
    ]


def test_blank_rows_are_skipped_but_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("Name;City;;\r\n\r\nJane;London;;\r\n;;;\r\n  ; \r\nJohn;Paris\r\n", encoding="utf-8")
    rows = list(read_rows(path))
    assert [(row.number, row.values) for row in rows] == [
        (1, ["Name", "City"]),
        (3, ["Jane", "London"]),
        (6, ["John", "Paris"]),
    ]


def test_the_person_can_choose_another_delimiter(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "lt.csv", LITHUANIAN, "utf-8", ";")
    chosen = preview(path, delimiter=",")
    assert chosen.layout.delimiter == ","
    assert chosen.header is not None and len(chosen.header.values) == 1  # no comma in the header
    assert chosen.rows[0].values[0].startswith("Rūta Šimkutė;UAB Ąžuolų ūkis;302345678;")
    with pytest.raises(FileRefused, match="one character"):
        preview(path, delimiter=";;")


def test_a_single_column_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("Email\nana@example.ro\nion@example.ro\n", encoding="utf-8")
    assert [row.values for row in read_rows(path)] == [["Email"], ["ana@example.ro"], ["ion@example.ro"]]


def test_an_unclosed_quote_is_refused_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text('Name;Notes\nJane;"never closed\n' + "Line;x\n" * 30_000, encoding="utf-8")
    with pytest.raises(FileRefused, match=r"Row 2: .*quote"):
        list(read_rows(path))


def test_rows_resume_after_a_row_number(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ro.csv", ROMANIAN_COMMA, "utf-8", ";")
    everything = list(read_rows(path))
    layout = detect_layout(path)
    assert list(read_rows(path, layout, start_after=1)) == everything[1:]
    assert list(read_rows(path, layout, start_after=3)) == everything[3:]
    assert list(read_rows(path, layout, start_after=99)) == []


def test_a_stored_layout_is_used_as_is(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "fr.csv", FRENCH, "cp1252", ";")
    rows = list(read_rows(path, Layout(detect_layout(path).format, "cp1252", ",")))
    assert rows[0].values == ["Nom;Société;Adresse;Ville;Téléphone;E-mail;Commentaire"]
