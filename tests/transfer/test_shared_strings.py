"""The on-disk shared-strings table gives back exactly what openpyxl's in-memory one would."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl.reader.strings import read_string_table

from crm_core.transfer.limits import FileRefused
from crm_core.transfer.reading import read_rows
from crm_core.transfer.shared_strings import SpooledStrings

FIXTURES = Path(__file__).parent / "fixtures"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
TABLE = (
    f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'
    "<si><t>Ştefan Ţăranu</t></si>"
    "<si><t></t></si>"
    '<si><t xml:space="preserve">  spaced  </t></si>'
    "<si><r><rPr><b/></rPr><t>Bold </t></r><r><t>and plain</t></r></si>"  # rich text runs
    '<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>'  # a phonetic hint is not text
    "<si><t>a_x005F_x000D_b</t></si>"
    "<si><t>Rūta &amp; Zoé &lt;ok&gt;</t></si>"
    "</sst>"
)


def test_the_same_texts_as_openpyxl() -> None:
    expected = read_string_table(io.BytesIO(TABLE.encode()))
    table = SpooledStrings(io.BytesIO(TABLE.encode()))
    try:
        assert len(table) == len(expected) == 7
        assert [table[i] for i in range(len(table))] == expected
        assert expected[3] == "Bold and plain" and expected[4] == "東京"
    finally:
        table.close()


def test_many_strings_past_the_cache() -> None:
    texts = [f"lead{n}@example.ro Ș" for n in range(20_000)]
    xml = f'<sst xmlns="{NS}">' + "".join(f"<si><t>{text}</t></si>" for text in texts) + "</sst>"
    table = SpooledStrings(io.BytesIO(xml.encode()))
    try:
        order = [*range(0, 20_000, 7), *range(19_999, 0, -13), 5, 5, 5]
        assert [table[i] for i in order] == [texts[i] for i in order]
    finally:
        table.close()


def test_entities_in_the_shared_strings_are_refused(tmp_path: Path) -> None:
    source = FIXTURES / "leads_libreoffice.xlsx"
    path = tmp_path / "entities.xlsx"
    evil = (
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f'<sst xmlns="{NS}"><si><t>&b;</t></si></sst>'
    )
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as patched:
        for item in original.infolist():
            data = evil.encode() if item.filename == "xl/sharedStrings.xml" else original.read(item)
            patched.writestr(item, data)
    with pytest.raises(FileRefused, match="entity declarations"):
        list(read_rows(path))
