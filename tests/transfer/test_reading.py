"""The preview (layout, header, first rows, how many) and resuming a read by row number."""

from __future__ import annotations

from pathlib import Path

from crm_core.transfer.reading import detect_layout, preview, read_rows
from tests.transfer.samples import ROMANIAN_CEDILLA, csv_text, write_csv


def test_a_small_file_is_counted_exactly(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ro.csv", ROMANIAN_CEDILLA, "cp1250")
    shown = preview(path, rows=1)
    assert (shown.layout.encoding, shown.layout.delimiter) == ("cp1250", ";")
    assert shown.header is not None and shown.header.values == ROMANIAN_CEDILLA[0]
    assert [row.values for row in shown.rows] == [ROMANIAN_CEDILLA[1]]
    assert (shown.total_rows, shown.total_is_exact) == (3, True)


def test_a_large_file_is_estimated_from_its_first_megabyte(tmp_path: Path) -> None:
    rows = [ROMANIAN_CEDILLA[0]] + [
        [f"{cell} {n}" for cell in ROMANIAN_CEDILLA[1 + n % 3]] for n in range(30_000)
    ]
    path = tmp_path / "big.csv"
    path.write_bytes(csv_text(rows).encode("cp1250"))
    assert path.stat().st_size > 3 * 1024 * 1024
    shown = preview(path)
    assert len(shown.rows) == 10
    assert not shown.total_is_exact
    assert abs(shown.total_rows - 30_000) < 30_000 * 0.05


def test_a_header_only_file(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("Name;City\r\n\r\n", encoding="utf-8")
    shown = preview(path)
    assert shown.header is not None and shown.header.values == ["Name", "City"]
    assert (shown.rows, shown.total_rows, shown.total_is_exact) == ([], 0, True)


def test_a_file_of_blank_lines_has_no_header(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\r\n;;\r\n", encoding="utf-8")
    shown = preview(path)
    assert (shown.header, shown.rows, shown.total_rows) == (None, [], 0)


def test_resuming_skips_exactly_the_rows_done(tmp_path: Path) -> None:
    rows = [["Name", "Notes"]] + [[f"Lead {n}", "two\nlines" if n % 7 == 0 else ""] for n in range(1, 501)]
    path = tmp_path / "leads.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    layout = detect_layout(path)
    done: list[str] = []
    position = 1  # the header's row number: the job starts after it
    # A job that commits 64 rows at a time and "crashes" after each commit.
    while True:
        batch = []
        for row in read_rows(path, layout, start_after=position):
            batch.append(row)
            if len(batch) == 64:
                break
        if not batch:
            break
        done.extend(row.values[0] for row in batch)
        position = batch[-1].number
    assert done == [f"Lead {n}" for n in range(1, 501)]
