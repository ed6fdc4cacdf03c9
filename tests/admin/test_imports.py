"""The Imports pages as a browser without JavaScript uses them: upload, preview (with the
encoding changed and the letters shown), map, dry run, run on a real worker, progress,
errors, the failed rows to fix and upload again, revert — and what is refused: oversized
and non-spreadsheet uploads, sales, requests without the CSRF token, script in the data."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from crm_core.models import Prospect, Role
from crm_core.settings import Settings
from tests.admin.conftest import UserFactory, csrf_token_from, sign_in
from tests.admin.html_forms import read_form, with_values
from tests.transfer.samples import write_csv
from worker import runtime
from worker.queues import TRANSFERS
from worker.workers import LeadWorker

ROWS = [
    ["Nume complet", "Firma", "Tel.", "Adresa de e-mail", "Judeţ"],
    ["Ştefan Ţăranu", "Agro Câmpia SRL", "0722 123 456", "stefan@agro.ro", "Brăila"],
    ["Ioana Bălan", "Pâine şi Ţuică SRL", "0744 555 111", "not-an-email", "Mureş"],
    ["Raluca Dumitrescu", "Îngrijire SA", "0733 000 000", "raluca@ingrijire.ro", "Iaşi"],
]


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return replace(settings, upload_dir=str(tmp_path / "files"))


@pytest.fixture
def run_worker(database_url: str, redis: Redis) -> Callable[[], int]:
    """A real worker on the transfers queue until it is empty; returns the failed jobs."""

    def run() -> int:
        runtime.configure(database_url)
        queue = Queue(TRANSFERS, connection=redis, serializer="json")
        LeadWorker([queue], connection=redis, serializer="json").work(
            burst=True, with_scheduler=False, logging_level="WARNING"
        )
        return queue.failed_job_registry.count

    return run


def upload(
    client: FlaskClient, path: Path, language: str = "ro", name: str | None = None, token: bool = True
):  # type: ignore[no-untyped-def]
    """Post the file as a browser does. The body is built in memory: the test client would
    spool a big one to a temporary file it never closes."""
    page = client.get("/admin/imports").get_data(as_text=True)
    fields: dict[str, object] = {"language": language}
    if token:
        fields["csrf_token"] = csrf_token_from(page)
    fields["file"] = FileStorage(io.BytesIO(path.read_bytes()), filename=name or path.name)
    boundary, body = encode_multipart(fields)
    return client.post("/admin/imports", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def import_id_of(response) -> int:  # type: ignore[no-untyped-def]
    match = re.search(r"/admin/imports/(\d+)/setup", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match[1])


@pytest.fixture
def admin_client(app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session]) -> FlaskClient:
    """Signed in as an admin, with CSRF checks on (the real app)."""
    return sign_in(app.test_client(), session_factory, make_user(Role.ADMIN))


def count(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Prospect)) or 0


def test_upload_preview_map_dry_run_run_fix_and_revert(
    admin_client: FlaskClient,
    tmp_path: Path,
    session_factory: sessionmaker[Session],
    run_worker: Callable[[], int],
) -> None:
    path = write_csv(tmp_path / "clienţi.csv", ROWS, "cp1250", ";")
    response = upload(admin_client, path)
    assert response.status_code == 302
    import_id = import_id_of(response)

    # The preview: encoding and delimiter detected, the cedilla letters shown as they are.
    setup = admin_client.get(f"/admin/imports/{import_id}/setup").get_data(as_text=True)
    assert re.search(r'<option value="cp1250" selected>[^<]*— detected', setup)
    assert "Ştefan Ţăranu" in setup and "Pâine şi Ţuică SRL" in setup
    # Read as Western European, the same bytes show other letters before anything is written.
    wrong = admin_client.get(f"/admin/imports/{import_id}/setup?encoding=cp1252&delimiter=semicolon")
    assert "ªtefan Þãranu" in wrong.get_data(as_text=True)
    # Read as UTF-8, they cannot be read at all: the page says so and offers the encodings.
    refused = admin_client.get(f"/admin/imports/{import_id}/setup?encoding=utf-8")
    assert refused.status_code == 400
    assert "cannot be read as utf-8" in refused.get_data(as_text=True)

    # Map: "Firma" and "Adresa de e-mail" are recognised; "Tel." is mapped by hand.
    form = read_form(setup, "setup-form")
    assert (form["column_0"], form["column_1"], form["column_3"], form["column_4"]) == (
        "name", "company", "email", "county",
    )  # fmt: skip
    form = with_values(form, column_2="phone", action="dry_run")
    assert admin_client.post(f"/admin/imports/{import_id}/start", data=form).status_code == 302
    assert run_worker() == 0
    detail = admin_client.get(f"/admin/imports/{import_id}").get_data(as_text=True)
    assert "Dry run" in detail and "Would be created" in detail
    assert count(session_factory) == 0

    # For real, from the dry run's page: the choices are kept.
    setup = admin_client.get(f"/admin/imports/{import_id}/setup").get_data(as_text=True)
    form = with_values(read_form(setup, "setup-form"), action="run")
    assert form["column_2"] == "phone"
    assert admin_client.post(f"/admin/imports/{import_id}/start", data=form).status_code == 302
    progress = admin_client.get(f"/admin/imports/{import_id}/progress.json").json
    assert progress["status"] == "queued" and progress["finished"] is False
    assert run_worker() == 0
    progress = admin_client.get(f"/admin/imports/{import_id}/progress.json").json
    assert (progress["finished"], progress["percent"], progress["done"], progress["total"]) == (
        True,
        100,
        3,
        3,
    )
    assert progress["counts"] == {"created": 2, "updated": 0, "skipped": 0, "failed": 1}
    detail = admin_client.get(f"/admin/imports/{import_id}").get_data(as_text=True)
    assert '<progress id="import-bar" max="100" value="100"' in detail
    assert re.search(
        r"<td class=\"num\">3</td><td>D · Adresa de e-mail</td><td class=\"value\">not-an-email</td>", detail
    )
    assert count(session_factory) == 2

    # The failed rows, to fix in a spreadsheet: the file's own header and cells, and why.
    failed = admin_client.get(f"/admin/imports/{import_id}/failed-rows.csv")
    assert failed.status_code == 200
    text = failed.get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [*ROWS[0], "Errors"]
    assert rows[1] == [*ROWS[2], "D · Adresa de e-mail: Enter a valid email address."]
    fixed = tmp_path / "fixed.csv"
    fixed.write_bytes(failed.get_data().replace(b"not-an-email", b"ioana@paine.ro"))
    again = import_id_of(upload(admin_client, fixed))
    setup = admin_client.get(f"/admin/imports/{again}/setup").get_data(as_text=True)
    form = read_form(setup, "setup-form")
    assert form["column_2"] == "phone"  # remembered for this header
    assert (
        admin_client.post(f"/admin/imports/{again}/start", data=with_values(form, action="run")).status_code
        == 302
    )
    assert run_worker() == 0
    assert count(session_factory) == 3

    # Revert the first import: a confirmation, then its two prospects go.
    confirm = admin_client.get(f"/admin/imports/{import_id}/revert").get_data(as_text=True)
    assert "Delete 2 prospects" in confirm
    token = csrf_token_from(confirm)
    response = admin_client.post(f"/admin/imports/{import_id}/revert", data={"csrf_token": token})
    assert response.status_code == 302
    assert count(session_factory) == 1
    assert "Reverted: 2 prospects deleted." in admin_client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_oversized_and_non_spreadsheet_uploads_are_refused_in_plain_words(
    app: Flask, admin_client: FlaskClient, tmp_path: Path
) -> None:
    app.config["LC_SETTINGS"] = replace(app.config["LC_SETTINGS"], import_max_mb=1)
    big = tmp_path / "big.csv"
    big.write_bytes(b"Name;Email\n" + b"Ana;ana@example.ro\n" * 120_000)
    response = upload(admin_client, big)
    assert response.status_code == 413
    assert "The file is larger than 1 MB, the most an import takes." in response.get_data(as_text=True)

    image = tmp_path / "leads.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200)
    response = upload(admin_client, image)
    assert response.status_code == 400
    assert "This is a PNG image, not a spreadsheet." in response.get_data(as_text=True)

    bomb = tmp_path / "leads.xlsx"
    import zipfile

    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)
    response = upload(admin_client, bomb)
    assert response.status_code == 400
    assert "zip bomb" in response.get_data(as_text=True)
    assert list((tmp_path / "files" / "imports").iterdir()) == []  # refused files are not kept


def test_sales_cannot_import(as_role: Callable[[Role], FlaskClient], tmp_path: Path) -> None:
    sales = as_role(Role.SALES)
    assert sales.get("/admin/imports").status_code == 403
    assert "/admin/imports" not in sales.get("/admin/").get_data(as_text=True)
    marketing = as_role(Role.MARKETING)
    assert 'href="/admin/imports"' in marketing.get("/admin/").get_data(as_text=True)


def test_upload_without_the_csrf_token_is_refused(admin_client: FlaskClient, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS, "utf-8")
    response = upload(admin_client, path, token=False)
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert not (tmp_path / "files" / "imports").exists() or not list(
        (tmp_path / "files" / "imports").iterdir()
    )


def test_text_from_the_file_is_escaped_everywhere_it_is_shown(
    admin_client: FlaskClient, tmp_path: Path, run_worker: Callable[[], int]
) -> None:
    script = "<script>alert(1)</script>"
    rows = [["Name", f"Email{script}"], [f"Ana {script}", f"bad{script}"]]
    path = write_csv(tmp_path / "a.csv", rows, "utf-8", ",")
    tag = "<img src=x onerror=alert(2)>"  # a file name cannot hold "/": no closing tags
    import_id = import_id_of(upload(admin_client, path, name=f"x{tag}.csv"))
    setup = admin_client.get(f"/admin/imports/{import_id}/setup").get_data(as_text=True)
    assert script not in setup and "&lt;script&gt;alert(1)&lt;/script&gt;" in setup
    assert tag not in setup and "x&lt;img src=x onerror=alert(2)&gt;.csv" in setup
    form = with_values(read_form(setup, "setup-form"), column_1="email", action="run")
    admin_client.post(f"/admin/imports/{import_id}/start", data=form)
    run_worker()
    detail = admin_client.get(f"/admin/imports/{import_id}").get_data(as_text=True)
    assert '<td class="value">bad&lt;script&gt;alert(1)&lt;/script&gt;</td>' in detail
    for url in (f"/admin/imports/{import_id}", "/admin/imports"):
        page = admin_client.get(url).get_data(as_text=True)
        assert script not in page and tag not in page, url
        assert "x&lt;img src=x onerror=alert(2)&gt;.csv" in page, url


def test_setup_mistakes_come_back_on_the_form(admin_client: FlaskClient, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", ROWS, "utf-8")
    import_id = import_id_of(upload(admin_client, path))
    setup = admin_client.get(f"/admin/imports/{import_id}/setup").get_data(as_text=True)
    form: MultiDict[str, str] = with_values(read_form(setup, "setup-form"), column_0="", action="run")
    response = admin_client.post(f"/admin/imports/{import_id}/start", data=form)
    assert response.status_code == 400
    assert "Map a column to Name: every prospect needs one." in response.get_data(as_text=True)


def test_the_template_comes_in_the_chosen_language(admin_client: FlaskClient) -> None:
    response = admin_client.get("/admin/imports/template?lang=lt&format=csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="leadcapture-import-lt.csv"'
    header = response.get_data().decode("utf-8-sig").splitlines()[0].split(";")
    assert header[:3] == ["Vardas", "Įmonė", "Registro numeris"]
    xlsx = admin_client.get("/admin/imports/template?lang=ro&format=xlsx")
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(xlsx.get_data()), read_only=True)
    assert workbook.sheetnames == ["Prospecți", "Valori permise"]
    first = next(workbook["Prospecți"].iter_rows(values_only=True))
    assert first[0] == "Nume"
    workbook.close()
