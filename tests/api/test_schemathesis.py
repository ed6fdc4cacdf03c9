"""schemathesis against the served OpenAPI document: a real threaded server,
a real database (SQLite and PostgreSQL) and Redis, an admin's read-and-write
token. Every generated request — valid and invalid — must get an answer that
is not a 5xx and that matches the document: a documented status, content type,
headers and body schema (problem details included).

Real records are seeded and their ids given to schemathesis (its config file),
so the operations on one record reach the services instead of a 404; DELETEs
get records of their own. Deterministic: a fixed seed, one worker, no example
database kept between runs; the number of examples keeps each run to a couple
of minutes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crm_core.models import Role
from tests.admin.conftest import UserFactory
from tests.api.conftest import TokenFactory
from tests.api.test_access import make_records
from tests.conftest import LiveServer

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    )
)
EXAMPLES = os.environ.get("LEADCAPTURE_SCHEMATHESIS_EXAMPLES", "5")
TIMEOUT = 900
PARENTS = {"prospects": "prospect_id", "accounts": "account_id", "offers": "offer_id"}


def _st() -> list[str]:
    found = shutil.which("st", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "schemathesis.cli"]


def _toml_table(values: dict[str, int]) -> str:
    return "{ " + ", ".join(f'"path.{name}" = {value}' for name, value in values.items()) + " }"


def config(kept: dict[str, int], doomed: dict[str, int]) -> str:
    """Ids of real records for the path parameters: ``kept`` for every
    operation, ``doomed`` for DELETEs (and parent_id by the parent's kind)."""
    blocks = [f"parameters = {_toml_table(kept)}"]
    for segment, key in PARENTS.items():
        blocks.append(
            "[[operations]]\n"
            f'include-path-regex = "^/api/v1/{segment}/\\\\{{parent_id\\\\}}"\n'
            f"parameters = {_toml_table({**kept, 'parent_id': kept[key]})}"
        )
    blocks.append(f'[[operations]]\ninclude-method = "DELETE"\nparameters = {_toml_table(doomed)}')
    return "\n\n".join(blocks) + "\n"


@pytest.mark.timeout(TIMEOUT + 60)
def test_the_api_keeps_its_openapi_promises(
    app: Any,
    make_user: UserFactory,
    make_token: TokenFactory,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    app.config["LC_SETTINGS"] = replace(app.config["LC_SETTINGS"], api_rate_limit="1000000/60")
    admin = make_user(Role.ADMIN)
    token = make_token(admin, scopes="read write")
    kept = make_records(session_factory, admin, "kept")
    doomed = make_records(session_factory, admin, "doomed")
    (tmp_path / "schemathesis.toml").write_text(config(kept, doomed))
    with LiveServer(app) as server:
        done = subprocess.run(
            [
                *_st(),
                "--config-file",
                str(tmp_path / "schemathesis.toml"),
                "run",
                f"{server.url}/api/v1/openapi.json",
                "--checks",
                CHECKS,
                "--header",
                f"Authorization: Bearer {token}",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                EXAMPLES,
                "--seed",
                "20260101",
                "--workers",
                "1",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
                "--no-color",
                "--suppress-health-check",
                "all",
                "--report",
                "ndjson",
                "--report-dir",
                str(tmp_path),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=tmp_path,
        )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-12000:]
    assert " passed" in output and "Schema Error" not in output, output[-3000:]
    # The seeded records were reached: some operations on them answered 2xx.
    statuses = _statuses(tmp_path)
    assert any(200 <= code < 300 for code in statuses.get("GET /api/v1/prospects/{prospect_id}", ())), (
        statuses
    )
    assert any(200 <= code < 300 for code in statuses.get("PATCH /api/v1/tasks/{task_id}", ())), statuses


def _statuses(directory: Path) -> dict[str, set[int]]:
    """Status codes seen per operation, from schemathesis's ndjson event log."""
    found: dict[str, set[int]] = {}
    for path in directory.glob("*.ndjson"):
        for line in path.read_text().splitlines():
            recorder = json.loads(line).get("ScenarioFinished", {}).get("recorder", {})
            for interaction in (recorder.get("interactions") or {}).values():
                response = interaction.get("response") or {}
                if "status_code" in response:
                    found.setdefault(recorder["label"], set()).add(int(response["status_code"]))
    return found
