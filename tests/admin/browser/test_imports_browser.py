"""Imports and exports in a real browser, with a real worker process, under the admin's
strict CSP (any violation fails the test):

- a Romanian Excel CSV (cp1250, ``;``, cedilla letters) with one bad row: two renamed
  columns mapped by hand, the progress bar followed live to the end, the row error shown,
  the failed rows downloaded, the import reverted;
- an XLSX imported, then the list exported to CSV and to XLSX."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.models import Prospect, Role
from crm_core.settings import Settings
from tests.admin.conftest import PASSWORD, UserFactory
from tests.faults import start_worker
from tests.processes import stop_tree
from tests.transfer.samples import write_csv

pytestmark = pytest.mark.browser

# Runs in every document before its own scripts (see tests/browser/conftest.py).
VIOLATION_LISTENER = """
document.addEventListener('securitypolicyviolation', e => window.__lcViolation(
  [e.effectiveDirective, e.blockedURI, JSON.stringify(e.sample), e.sourceFile + ':' + e.lineNumber].join(' ')
), true);
"""
ROWS = 1_500  # enough for the bar to be seen moving on a quiet machine


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return replace(settings, upload_dir=str(tmp_path / "files"))


@pytest.fixture
def worker(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """``leadcapture worker`` as production runs it, on the test's database and Redis."""
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SECRET_KEY": settings.secret_key,
    }
    process = start_worker(env, log)
    yield log
    stop_tree(process)


@pytest.fixture
def page(browser: Any, live_server: Any, make_user: UserFactory, artifacts: Path) -> Iterator[Any]:
    """Signed in as a marketer; fails the test on a CSP violation, a page error or a dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(20_000)
    problems: list[str] = []
    context.expose_function("__lcViolation", lambda text: problems.append(f"CSP violation: {text}"))
    context.add_init_script(VIOLATION_LISTENER)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda m: m.type == "error" and "Content Security Policy" in m.text and problems.append(m.text),
    )
    user = make_user(Role.MARKETING, name="Maria Ionescu")
    page.goto(f"{live_server.url}/admin/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/home")  # where signing in lands
    yield page
    context.close()
    assert problems == [], problems


def prospects(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(Prospect)) or 0


def test_romanian_csv_with_a_bad_row_mapped_followed_live_fixed_and_reverted(
    page: Any, live_server: Any, worker: Path, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    rows = [["Client", "Societate comercială", "Contact tel", "Email", "Localitate"]]
    rows += [
        [f"Ştefan Ţăranu {n}", "Pâine şi Ţuică SRL", f"0722 {n:06d}", f"stefan{n}@paine.ro", "Brăila"]
        for n in range(ROWS)
    ]
    rows[7][3] = "ştefan-at-paine.ro"  # the bad row: file row 8
    path = write_csv(tmp_path / "clienţi.csv", rows, "cp1250", ";")

    page.locator("nav summary", has_text="Admin").click()  # the setup pages' menu
    page.get_by_role("link", name="Imports").click()
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_label("Language of the file").select_option("ro")
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url(re.compile(r"/admin/imports/\d+/setup"))

    # The preview: detected as Windows-1250 and ";", the letters as the file has them.
    expect(page.get_by_label("Text encoding")).to_have_value("cp1250")
    expect(page.locator("#preview")).to_contain_text("Ştefan Ţăranu 0")
    expect(page.locator("#preview")).to_contain_text("Pâine şi Ţuică SRL")
    # Read the wrong way, the letters show wrong before anything is written; then back.
    page.get_by_label("Text encoding").select_option("cp1252")
    page.get_by_role("button", name="Read again").click()
    expect(page.locator("#preview")).to_contain_text("ªtefan Þãranu 0")
    page.get_by_label("Text encoding").select_option("cp1250")
    page.get_by_role("button", name="Read again").click()
    expect(page.locator("#preview")).to_contain_text("Ştefan Ţăranu 0")

    # Two renamed columns the names did not give away, mapped by hand.
    expect(page.get_by_label("Client", exact=True)).to_have_value("")
    page.get_by_label("Client", exact=True).select_option("name")
    page.get_by_label("Contact tel", exact=True).select_option("phone")
    expect(page.get_by_label("Societate comercială", exact=True)).to_have_value("company")
    polls: list[str] = []
    page.on("request", lambda request: "progress.json" in request.url and polls.append(request.url))
    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_url(re.compile(r"/admin/imports/\d+$"))

    # The bar follows the job without a reload, then the page shows the result.
    expect(page.locator("#import-bar")).to_have_attribute("value", "100", timeout=180_000)
    expect(page.locator(".transfer-status")).to_have_text("Done")
    assert polls, "the progress came from the JSON endpoint"
    expect(page.locator("[data-count=created]")).to_have_text(f"{ROWS - 1:,}")
    expect(page.locator("[data-count=failed]")).to_have_text("1")
    error = page.locator("#row-errors tbody tr")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("8")
    expect(error).to_contain_text("D · Email")
    expect(error).to_contain_text("ştefan-at-paine.ro")
    expect(error).to_contain_text("Enter a valid email address.")
    assert prospects(session_factory) == ROWS - 1

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the failed rows (CSV)").click()
    failed = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(failed), delimiter=";"))
    assert lines == [[*rows[0], "Errors"], [*rows[7], "D · Email: Enter a valid email address."]]

    page.get_by_role("link", name="Revert…").click()
    page.get_by_role("button", name=f"Delete {ROWS - 1:,} prospects").click()
    expect(page.locator(".flash.success")).to_have_text(f"Reverted: {ROWS - 1:,} prospects deleted.")
    expect(page.locator(".transfer-status")).to_have_text("Reverted")
    assert prospects(session_factory) == 0


def test_an_xlsx_imported_then_the_list_exported_to_xlsx_and_csv(
    page: Any, live_server: Any, worker: Path, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Vardas", "Įmonė", "Telefonas", "El. paštas", "Pastabos"])
    sheet.append(
        ["Rūta Šimkutė", "UAB Ąžuolų ūkis", 37061234567, "ruta@azuolu.lt", "=1+1 is not a formula here"]
    )
    sheet.append(
        ["Jonas Petraitis", "Žalgirio prekyba", "8 612 34567", "jonas@zalgiris.lt", "Susitikome mugėje"]
    )
    sheet["E2"].data_type = "s"  # text that looks like a formula (openpyxl would store a formula)
    source = tmp_path / "klientai.xlsx"
    workbook.save(source)

    page.locator("nav summary", has_text="Admin").click()  # the setup pages' menu
    page.get_by_role("link", name="Imports").click()
    page.get_by_label("File", exact=True).set_input_files(str(source))
    page.get_by_label("Language of the file").select_option("lt")
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#preview")).to_contain_text("Rūta Šimkutė")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".transfer-status")).to_have_text("Done", timeout=120_000)
    expect(page.locator("[data-count=created]")).to_have_text("2")

    page.get_by_role("link", name="Prospects").click()
    page.get_by_role("link", name="Export CSV / XLSX").click()
    expect(page.locator("#export-count")).to_contain_text("2 prospects")
    page.get_by_label("Column names in").first.select_option("lt")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    exported = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert exported[0][:3] == ["ID", "Vardas", "Įmonė"]
    assert {row[1] for row in exported[1:]} == {"Rūta Šimkutė", "Jonas Petraitis"}
    assert "'=1+1 is not a formula here" in {row[12] for row in exported[1:]}

    page.locator("#xlsx-lang").select_option("lt")
    page.get_by_role("button", name="Prepare XLSX").click()
    link = page.get_by_role("link", name="Download XLSX")
    expect(link).to_be_visible(timeout=120_000)  # the page follows the job, then shows the link
    with page.expect_download() as download:
        link.click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    cells = [cell for row in book.active.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value for cell in cells}
    assert {"Rūta Šimkutė", "UAB Ąžuolų ūkis", "=1+1 is not a formula here", "37061234567"} <= values
    book.close()
