"""The encodings-by-delimiters matrix: real-looking lead lists from Romanian, Lithuanian and
French Excel, written in every encoding those exports come in, read back letter for letter."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from crm_core.transfer.limits import FileRefused
from crm_core.transfer.reading import detect_layout, preview, read_rows
from tests.transfer.samples import FRENCH, LITHUANIAN, ROMANIAN_CEDILLA, ROMANIAN_COMMA, SAMPLES, write_csv

DELIMITERS = [";", ",", "\t", "|"]
# What the reader reports for each way of writing the file.
UNICODE = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}


def _read_back(path: Path) -> list[list[str]]:
    return [row.values for row in read_rows(path)]


@pytest.mark.parametrize("delimiter", DELIMITERS, ids=["semicolon", "comma", "tab", "bar"])
@pytest.mark.parametrize("language", ["ro", "lt", "fr"])
@pytest.mark.parametrize("encoding", ["code page", "utf-8", "utf-8-sig", "utf-16-le", "utf-16-be"])
def test_every_encoding_and_delimiter_reads_back_exactly(
    tmp_path: Path, encoding: str, language: str, delimiter: str
) -> None:
    rows, code_page = SAMPLES[language]
    if encoding != "code page" and language == "ro":
        rows = ROMANIAN_COMMA
    written = code_page if encoding == "code page" else encoding
    path = write_csv(tmp_path / "leads.csv", rows, written, delimiter)

    layout = detect_layout(path)

    assert layout.encoding == (code_page if encoding == "code page" else UNICODE[encoding])
    assert layout.delimiter == delimiter
    assert _read_back(path) == rows


@pytest.mark.parametrize("language", ["ro", "lt", "fr"])
def test_code_page_detected_without_the_uploaders_language_and_against_a_wrong_one(
    tmp_path: Path, language: str
) -> None:
    rows, code_page = SAMPLES[language]
    path = write_csv(tmp_path / "leads.csv", rows, code_page)
    for hint in (None, "en", "ro", "lt", "fr"):
        assert detect_layout(path, language=hint).encoding == code_page


@pytest.mark.parametrize(
    ("text", "code_page"),
    [
        ("Nume;Oraş\nŞtefan Ţăranu;Brăila\n", "cp1250"),  # one short Romanian row
        ("Vardas;Miestas\nJonas;Šiauliai\n", "cp1257"),  # a single Lithuanian letter
        ("Vardas;Miestas\nRūta;Kaunas\n", "cp1257"),
        ("Nom;Ville\nFrançois;Orléans\n", "cp1252"),
        ("Nom;Ville\nCœur;Paris\n", "cp1252"),  # œ is undefined in cp1257 and ś in cp1250
        ("Nom;Ville\nHélène;Besançon\n", "cp1252"),
    ],
)
def test_tiny_files_still_get_the_right_code_page(tmp_path: Path, text: str, code_page: str) -> None:
    path = tmp_path / "tiny.csv"
    path.write_bytes(text.encode(code_page))
    assert detect_layout(path).encoding == code_page
    assert "\n".join(";".join(row.values) for row in read_rows(path)) + "\n" == text


def test_letter_frequency_breaks_a_tie_between_code_pages(tmp_path: Path) -> None:
    # Byte 0xFB is ū in cp1257 and û in cp1252: both letters of a language here.
    path = tmp_path / "tie.csv"
    path.write_bytes("Vardas;Miestas\nRūta;Kaunas\n".encode("cp1257"))
    for hint in (None, "fr", "lt"):
        assert detect_layout(path, language=hint).encoding == "cp1257"


def test_the_uploaders_language_picks_among_code_pages_that_read_the_same(tmp_path: Path) -> None:
    # é is byte 0xE9 in all three code pages: any reading is right.
    path = tmp_path / "same.csv"
    path.write_bytes("Nom;Ville\nSociété Générale;Paris\n".encode("cp1252"))
    assert detect_layout(path, language="ro").encoding == "cp1250"
    assert detect_layout(path, language="lt").encoding == "cp1257"
    assert detect_layout(path, language="fr").encoding == "cp1252"
    assert [row.values for row in read_rows(path)][1] == ["Société Générale", "Paris"]


def test_cedilla_and_comma_below_letters_are_stored_as_the_file_has_them(tmp_path: Path) -> None:
    mixed = [["Nume"], ["Ştefan Ţăranu"], ["Ștefan Țăranu"]]
    utf8 = write_csv(tmp_path / "mixed.csv", mixed, "utf-8")
    assert _read_back(utf8) == mixed
    assert _read_back(utf8)[1][0] != _read_back(utf8)[2][0]

    cp1250 = write_csv(tmp_path / "cedilla.csv", ROMANIAN_CEDILLA, "cp1250")
    text = "".join("".join(row) for row in _read_back(cp1250))
    assert "ş" in text and "ţ" in text and "Ş" in text and "Ţ" in text
    assert not set("șțȘȚ") & set(text)


def test_plain_ascii_is_utf_8(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ascii.csv", [["Name", "City"], ["Jane Smith", "London"]], "ascii")
    assert detect_layout(path).encoding == "utf-8"


def test_utf_8_is_recognised_when_the_only_accent_is_far_into_the_file(tmp_path: Path) -> None:
    rows = [["Name", "City"]] + [["Jane Smith", "London"]] * 60_000 + [["Ștefan", "Brăila"]]
    path = write_csv(tmp_path / "late.csv", rows, "utf-8")
    assert path.stat().st_size > 1024 * 1024
    assert detect_layout(path).encoding == "utf-8"


def test_cyrillic_falls_back_to_the_general_detector(tmp_path: Path) -> None:
    rows = [["Имя", "Город"], ["Иван Петров", "Москва"], ["Мария Иванова", "Санкт-Петербург"]] * 5
    path = write_csv(tmp_path / "cyrillic.csv", rows, "cp1251")
    layout = detect_layout(path)
    assert codecs.lookup(layout.encoding or "").name == "cp1251"
    assert _read_back(path)[1] == ["Иван Петров", "Москва"]


def test_the_preview_decodes_with_the_encoding_the_person_chose(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "ro.csv", ROMANIAN_CEDILLA, "cp1250")
    wrong = preview(path, encoding="cp1252")
    assert wrong.layout.encoding == "cp1252"
    assert wrong.rows[0].values[0] == "ªtefan Þãranu"  # visibly wrong, before anything is written
    assert preview(path, encoding="cp1250").rows[0].values[0] == "Ştefan Ţăranu"


def test_choosing_utf_8_for_a_code_page_file_is_refused_with_the_row(tmp_path: Path) -> None:
    rows = [["Nume", "Localitate"]] + [["Ion", "Cluj"]] * 3 + [["Ştefan", "Iaşi"]]
    path = write_csv(tmp_path / "ro.csv", rows, "cp1250")
    with pytest.raises(FileRefused, match=r"Line 5 cannot be read as utf-8"):
        list(read_rows(path, detect_layout(path, encoding="utf-8")))


def test_an_unknown_encoding_name_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", FRENCH, "utf-8")
    with pytest.raises(FileRefused, match="not a text encoding"):
        preview(path, encoding="klingon-8")


def test_lithuanian_and_french_letters_survive_utf_16(tmp_path: Path) -> None:
    for rows in (LITHUANIAN, FRENCH):
        path = write_csv(tmp_path / "unicode.txt", rows, "utf-16-le", "\t")
        assert _read_back(path) == rows
