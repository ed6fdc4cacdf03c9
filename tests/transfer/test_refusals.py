"""Files that are not spreadsheets, or break a limit, are refused with a plain message,
never crashed on, and before any row is handed out where the content allows."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm_core.transfer.limits import FileRefused, Limits
from crm_core.transfer.reading import preview, read_rows

FIXTURES = Path(__file__).parent / "fixtures"


def _refused(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(FileRefused) as caught:
        list(read_rows(path, limits=limits or Limits()))
    with pytest.raises(FileRefused):
        preview(path, limits=limits or Limits())
    return str(caught.value)


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def test_an_image_renamed_csv(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert _refused(path) == "This is a PNG image, not a spreadsheet. Upload a CSV, XLSX or XLS file."


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"%PDF-1.7\n", "PDF document"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"\x1f\x8b\x08", "gzip"),
    ],
)
def test_other_well_known_files_are_named(tmp_path: Path, head: bytes, what: str) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_bytes(head + b"\x00" * 100)
    assert what in _refused(path)


def test_a_zip_bomb_renamed_xlsx_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    assert "zip bomb" in _refused(path)


def test_a_workbook_expanding_past_the_total_limit_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "big.xlsx", [["Name"], ["Jane"]])
    assert "would expand" in _refused(path, Limits(max_unzipped_bytes=1000))


def test_entity_expansion_in_an_xlsx_is_refused(tmp_path: Path) -> None:
    # "Billion laughs": a few hundred bytes that expand to gigabytes if entities are resolved.
    source = _workbook(tmp_path / "plain.xlsx", [["Name"], ["Jane"]])
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as bomb:
        for item in original.infolist():
            data = laughs.encode() if item.filename == "xl/worksheets/sheet1.xml" else original.read(item)
            bomb.writestr(item, data)
    assert _refused(path) == (
        "The XLSX workbook cannot be read: it uses XML entity declarations, which are refused for safety."
    )


@pytest.mark.parametrize(
    ("members", "what"),
    [
        ({"word/document.xml": "<w/>"}, "a Word document"),
        ({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<c/>"}, ".ods"),
        ({"readme.txt": "hello"}, "a zip archive"),
    ],
)
def test_zips_that_are_not_workbooks(tmp_path: Path, members: dict[str, str], what: str) -> None:
    path = tmp_path / "leads.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    assert what in _refused(path)


def test_a_damaged_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    path.write_bytes(b"PK\x03\x04" + random.Random(7).randbytes(2000))
    assert "damaged" in _refused(path)


def test_an_ole2_document_that_is_not_a_workbook(tmp_path: Path) -> None:
    # The fixture with its "Workbook" stream renamed: what xlrd sees in a Word .doc.
    data = (FIXTURES / "leads.xls").read_bytes()
    name = "Workbook".encode("utf-16-le")
    assert data.count(name) == 1
    path = tmp_path / "leads.xls"
    path.write_bytes(data.replace(name, "Workbool".encode("utf-16-le")))
    assert (
        _refused(path)
        == "This is an Office document but not an Excel workbook; upload a CSV, XLSX or XLS file."
    )


def test_a_password_protected_xlsx(tmp_path: Path) -> None:
    # Encrypted XLSX files are OLE2 containers with an "EncryptedPackage" stream and no workbook.
    data = bytearray((FIXTURES / "leads.xls").read_bytes())
    old = "Workbook".encode("utf-16-le") + b"\x00\x00"
    start = data.index(old)
    new = "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    data[start : start + len(new)] = new
    data[start + 64 : start + 66] = len(new).to_bytes(2, "little")  # the directory entry's name length
    path = tmp_path / "secret.xlsx"
    path.write_bytes(bytes(data))
    assert "password-protected" in _refused(path)


def test_a_web_page_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<!DOCTYPE html>\n<html><table><tr><td>Jane</td></tr></table></html>", encoding="utf-8")
    assert "web page" in _refused(path)


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert _refused(path) == "The file is empty."


def test_binary_junk_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(random.Random(1).randbytes(4096))
    assert "not a text file" in _refused(path)


def test_binary_junk_without_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(random.Random(2).randbytes(4096).replace(b"\x00", b"\x01"))
    assert "not a text file" in _refused(path)


def test_a_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("Name\n" + "Jane\n" * 30, encoding="utf-8")
    assert "at most 100 bytes" in _refused(path, Limits(max_bytes=100))


def test_too_many_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("Name;City\n" + ";".join(["x"] * 201) + "\n", encoding="utf-8")
    assert _refused(path) == "Row 2 has 201 columns; at most 200 are allowed."


def test_trailing_empty_columns_do_not_count(tmp_path: Path) -> None:
    path = tmp_path / "padded.csv"
    path.write_text("Name;City" + ";" * 500 + "\nJane;London" + ";" * 500 + "\n", encoding="utf-8")
    assert [row.values for row in read_rows(path)] == [["Name", "City"], ["Jane", "London"]]


def test_a_cell_over_the_length_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("Name;Notes\nJane;" + "x" * 32_768 + "\n", encoding="utf-8")
    assert _refused(path) == "Row 2, column B: the cell has 32,768 characters; at most 32,767 are allowed."
    path.write_text("Name;Notes\nJane;" + "x" * 32_767 + "\n", encoding="utf-8")
    assert len(list(read_rows(path))[1].values[1]) == 32_767


def test_the_row_limit_counts_data_rows_after_the_header(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("Name\n" + "Jane\n" * 5, encoding="utf-8")
    assert len(list(read_rows(path, limits=Limits(max_rows=5)))) == 6
    path.write_text("Name\n" + "Jane\n" * 6, encoding="utf-8")
    assert _refused(path, Limits(max_rows=5)) == (
        "The file has more than 5 rows; split it into smaller files (row 7 is over the limit)."
    )


def test_limits_apply_to_xlsx_too(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "wide.xlsx", [["Name"], ["x"] * 12])
    assert _refused(path, Limits(max_columns=10)) == "Row 2 has 12 columns; at most 10 are allowed."
