"""The import template: every field, headers in the person's language, one example row, and
the allowed list values on a second XLSX sheet; and it imports back through the reader."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from crm_core.transfer.fields import LANGUAGES, PROSPECT_FIELDS
from crm_core.transfer.headers import propose_mapping
from crm_core.transfer.reading import preview
from crm_core.transfer.template import template_csv, template_xlsx

STATUSES = ["Nou", "În curs", "Calificat"]
SOURCES = ["Formular web", "Recomandare"]
PRIORITIES = ["Scăzută", "Medie", "Ridicată"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_csv_template(language: str) -> None:
    data = template_csv(language, statuses=STATUSES, sources=SOURCES, priorities=PRIORITIES, owner="Ana Pop")
    assert data.startswith(b"\xef\xbb\xbf")
    delimiter = "," if language == "en" else ";"
    header, example = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    assert header == [field.header(language) for field in PROSPECT_FIELDS]
    values = dict(zip([field.key for field in PROSPECT_FIELDS], example, strict=True))
    assert (values["status"], values["source"], values["priority"], values["owner"]) == (
        "Nou", "Formular web", "Scăzută", "Ana Pop",
    )  # fmt: skip
    assert all(values[key] for key in values)


def test_romanian_template_headers_and_example() -> None:
    header, example = list(
        csv.reader(io.StringIO(template_csv("ro").decode("utf-8-sig"), newline=""), delimiter=";")
    )
    assert header[:4] == ["Nume", "Companie", "Nr. Reg. Com.", "Cod Unic de Înregistrare"]
    assert example[0] == "Ștefan Țăranu"
    assert example[-4:] == ["", "", "", ""]  # no lists given: status, source, priority, owner left empty


@pytest.mark.parametrize("language", LANGUAGES)
def test_xlsx_template_has_the_allowed_values_on_a_second_sheet(tmp_path: Path, language: str) -> None:
    path = tmp_path / "template.xlsx"
    path.write_bytes(template_xlsx(language, statuses=STATUSES, sources=SOURCES, priorities=PRIORITIES))
    workbook = load_workbook(path)
    data, allowed = workbook.worksheets
    assert [cell.value for cell in data[1]] == [field.header(language) for field in PROSPECT_FIELDS]
    columns = list(allowed.iter_cols(values_only=True))
    headers = {field.key: field.header(language) for field in PROSPECT_FIELDS}
    assert columns == [
        (headers["status"], *STATUSES),
        (headers["source"], *SOURCES, None),
        (headers["priority"], *PRIORITIES),
    ]
    assert all(cell.data_type == "s" for row in data.iter_rows() for cell in row if cell.value is not None)

    # A person fills the template in and uploads it: every column maps to its field.
    shown = preview(path)
    assert shown.header is not None
    assert propose_mapping(shown.header.values) == dict(enumerate(field.key for field in PROSPECT_FIELDS))
    assert shown.rows[0].values[12:15] == ["Nou", "Formular web", "Scăzută"]  # status, source, priority


def test_sheet_titles_are_in_the_language() -> None:
    workbook = load_workbook(io.BytesIO(template_xlsx("lt")))
    assert workbook.sheetnames == ["Potencialūs klientai", "Leistinos reikšmės"]
