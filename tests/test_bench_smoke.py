"""Every benchmark once, at its smoke size, so the scripts keep working.

They start real servers (gunicorn, workers, Redis, PostgreSQL, Chromium) and
print figures; the figures are not checked here (these machines are too noisy
for timed tests), only that each script runs to the end from a clone and, for
the end-to-end run, that every accepted submission was committed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.availability import missing, postgres_url
from tests.chromium import require_chromium

ROOT = Path(__file__).resolve().parent.parent
# A real machine's worst case, well above the smoke sizes' 10-60 s.
TIMEOUT = 300


def _need_wrk() -> None:
    if not shutil.which("wrk"):
        missing("the intake and end-to-end benchmarks need wrk (apt-get install wrk)")


def _run(script: str, *args: str, **env: str) -> str:
    """Runs ``bench/<script>`` as a user would, from the repository root, without
    the test suite's import path."""
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, (
        f"bench/{script} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def test_snippet_benchmark_runs() -> None:
    out = _run("snippet.py", "--quick", LEADCAPTURE_CHROMIUM=require_chromium())
    assert re.search(r"embed\.js gzip -9\s+\d+ B", out), out
    assert "load event → interactive" in out, out


def test_prospects_list_benchmark_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'list.db'}"
    assert "seeded 500 prospects" in _run("seed_prospects.py", "500", "--database-url", url)
    out = _run("prospects_list.py", "--database-url", url, "--runs", "1", "--warmup", "0")
    assert "| deep page |" in out, out


def test_accounts_offers_benchmark_runs() -> None:
    out = _run("accounts_offers.py", "--quick", BENCH_POSTGRES_URL=postgres_url())
    assert "seeded 2,000 prospects, 2,000 accounts, 5,000 offers" in out, out
    assert re.search(r"\| offers, sales, status sent +\| [\d.]+ ms", out), out
    assert "Index Scan" in out, "the plans are printed"


def test_pipeline_benchmark_runs() -> None:
    out = _run("pipeline.py", "--quick")
    for page in ("| board |", "| home |", "| report traceability |", "| prospects list (baseline) |"):
        assert page in out, out


def test_tally_writes_benchmark_runs() -> None:
    out = _run("tally_writes.py", "--quick")
    assert re.search(r"\| insert, per row \(batches of 100\) \| [\d.]+ µs \| [\d.]+ µs \|", out), out


def test_related_records_benchmark_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'related.db'}"
    assert "seeded 500 prospects" in _run("seed_prospects.py", "500", "--database-url", url)
    seeded = _run("seed_related.py", "--quick", "--database-url", url)
    assert "summary columns agree with the tasks and activities on every prospect" in seeded, seeded
    out = _run("related_records.py", "--database-url", url, "--runs", "1", "--warmup", "0")
    assert "(400 timeline entries)" in out, out
    assert re.search(r"\| Tasks page, the sales user \(200 open\) \| [\d.]+ ms \|", out), out
    assert "| list ?tasks=overdue (the sales user) |" in out, out


def test_transfer_files_benchmark_runs() -> None:
    out = _run("transfer_files.py", "--quick")
    for step in ("write-csv", "write-xlsx", "read-csv", "resume-csv", "read-xlsx", "read-xlsx-shared"):
        assert re.search(rf"\| {step} \| 2,000 \|", out), out


def test_imports_benchmark_runs() -> None:
    out = _run("imports.py", "--quick", BENCH_POSTGRES_URL=postgres_url())
    for kind in ("sqlite", "postgres"):
        assert re.search(rf"\| {kind} import job \| 2,000 \|", out), out
        assert re.search(rf"{kind} import: job/bare [\d.]+x", out), out
        assert re.search(rf"{kind} export: csv/bare [\d.]+x", out), out


def test_intake_benchmark_runs() -> None:
    _need_wrk()
    out = _run("intake.py", "--quick")
    for concurrency in (16, 64):
        assert re.search(rf"c={concurrency}: real/do-nothing [\d.]+x", out), out
    assert "real endpoint at" in out, out


def test_drain_benchmark_runs() -> None:
    out = _run("drain.py", "--quick", BENCH_POSTGRES_URL=postgres_url())
    assert re.search(r"\(e\)/\(d\) [\d.]+x", out), out


def test_end_to_end_benchmark_commits_every_accepted_submission() -> None:
    _need_wrk()
    out = _run("end_to_end.py", "--quick", BENCH_POSTGRES_URL=postgres_url())
    found = re.search(r"(\d+) accepted, (\d+) never seen committed", out)
    assert found, out
    accepted, missing = int(found[1]), int(found[2])
    assert accepted > 0, out
    assert missing == 0, out


def test_webhooks_benchmark_runs() -> None:
    out = _run("webhooks.py", "--quick")
    assert re.search(r"\[sqlite\] throughput: 100 deliveries in [\d.]+ s", out), out
    assert re.search(r"commit → delivery at 20 events/s: p50 \d+ ms, p95 \d+ ms", out), out


def test_api_list_benchmark_runs() -> None:
    out = _run("api_list.py", "--quick")
    for case in ("first page", "deep page"):
        assert re.search(rf"\| {case} \| [\d.]+ ms \|.*\| [\d.]+x \|", out), out
    assert "API pages of 50 rows" in out, out
