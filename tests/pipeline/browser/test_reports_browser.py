"""Every report in a real browser under the strict CSP: Chart.js draws its
chart (an instance exists and the canvas is not blank), the table under it is
the text alternative, and the CSV the page links to says what the table says
— in English and in Romanian (a comma for decimals, so ";" between cells)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.pipeline.browser.conftest import no_page_scroll

SLUGS = ("leads-weekly", "leads-monthly", "funnel", "forms", "owners", "traceability")

READ_TABLES = """
() => Array.from(document.querySelectorAll('table[data-report-table]')).map(t => [
  t.dataset.reportTable,
  Array.from(t.rows).map(r => Array.from(r.cells).map(c => c.textContent.trim())),
])
"""
CHART_DRAWN = """
() => {
  const canvas = document.getElementById('report-chart');
  const chart = window.Chart && window.Chart.getChart(canvas);
  if (!chart || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
}
"""
FETCH_CSV = "href => fetch(href, {credentials: 'same-origin'}).then(r => r.text())"


@pytest.fixture
def pipeline_data(add_prospect, add_offer, list_ids, staff, make_form) -> None:
    form_id = make_form(name="Contact")["form_id"]
    now = datetime.now(UTC)
    for n in range(12):
        add_prospect(
            name=f"Lead {n} ș",
            created_at=now - timedelta(days=n * 11),
            source_id=list_ids["Referral" if n % 3 else "Web form"],
            status_id=list_ids[("New", "Qualified", "Unqualified", "Converted")[n % 4]],
            owner_id=staff["sales"].id if n % 2 else None,
            form_id=form_id if n % 3 == 0 else None,
            converted_at=now - timedelta(days=n * 11 - 3) if n % 4 == 3 else None,
        )
    lead = add_prospect(name="=2+3", status_id=list_ids["Converted"], converted_at=now - timedelta(days=1))
    add_offer(total="1234.5", currency="EUR", status="Sent", prospect_id=lead, name="Offer one")


@pytest.mark.parametrize(("locale", "delimiter"), [("en-US", ","), ("ro-RO", ";")])
def test_each_report_draws_its_chart_and_its_csv_matches_the_table(
    signed_in, pipeline_data, live_server, locale: str, delimiter: str
) -> None:
    page = signed_in("admin", locale=locale)
    for slug in SLUGS:
        page.goto(f"{live_server.url}/admin/reports/{slug}")
        page.wait_for_function(CHART_DRAWN)
        tables: list[Any] = page.evaluate(READ_TABLES)
        assert tables, slug
        for key, rows in tables:
            link = page.locator(f"a[data-csv='{key}']")
            text: str = page.evaluate(FETCH_CSV, link.get_attribute("href"))
            exported = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))
            # The one difference allowed: a cell a spreadsheet would run as a formula gets an apostrophe.
            expected = [["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row] for row in rows]
            assert exported == expected, (slug, key)
        expect(page.locator("canvas#report-chart")).to_have_attribute("role", "img")
        no_page_scroll(page)


def test_reports_fit_a_phone(signed_in, pipeline_data, live_server) -> None:
    page = signed_in("sales", width=390, height=844)
    for slug in SLUGS:
        page.goto(f"{live_server.url}/admin/reports/{slug}")
        page.wait_for_function(CHART_DRAWN)
        no_page_scroll(page)
