"""Every log line carries its context: the request id of a web request (the
proxy's ``X-Request-ID`` when it is a sane token, echoed in the answer) and the
job id in the worker — set once where the work starts, by a logging filter."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from typing import Any

import pytest

from crm_core.log_context import ContextFilter, configure_logging, log_context


@pytest.fixture
def captured() -> Any:
    stream = io.StringIO()
    configure_logging(logging.INFO, stream)
    yield stream
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_lc_context", False):
            root.removeHandler(handler)


def test_the_filter_adds_the_context_and_configuring_twice_keeps_one_handler(captured: io.StringIO) -> None:
    configure_logging(logging.INFO, captured)
    with log_context(job="abc-123"):
        logging.getLogger("leadcapture.test").info("landed")
    logging.getLogger("leadcapture.test").info("outside")
    lines = captured.getvalue().splitlines()
    assert len(lines) == 2, "one handler, however often logging is configured"
    assert "[job=abc-123]" in lines[0] and "landed" in lines[0]
    assert "[-]" in lines[1]
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
    assert ContextFilter().filter(record) and record.context == "-"  # type: ignore[attr-defined]


def test_a_request_logs_and_echoes_its_id(client, captured: io.StringIO, app) -> None:  # type: ignore[no-untyped-def]
    @app.get("/_log_probe")
    def probe() -> str:
        app.logger.warning("probe line")
        return "ok"

    response = client.get("/_log_probe", headers={"X-Request-ID": "edge-42"})
    assert response.headers["X-Request-ID"] == "edge-42"
    assert "[req=edge-42]" in captured.getvalue()

    forged = client.get("/_log_probe", headers={"X-Request-ID": "bad id <INJECTED>"})
    fresh = forged.headers["X-Request-ID"]
    assert fresh != "bad id <INJECTED>" and len(fresh) == 12
    assert f"[req={fresh}]" in captured.getvalue() and "INJECTED" not in captured.getvalue()


def test_a_worker_job_logs_with_its_job_id(
    captured: io.StringIO,
    make_form: Callable[..., dict[str, Any]],
    client,
    drain: Callable[[], int],  # type: ignore[no-untyped-def]
) -> None:
    form = make_form()
    answer = client.post(
        f"/f/{form['key']}",
        data={"name": "Ana", "email": "ana@example.com"},
        headers={"Origin": "https://example.com"},
    )
    assert answer.status_code == 202
    job_id = answer.get_json()["id"]
    drain()
    assert f"[job={job_id}]" in captured.getvalue()


def test_the_json_submit_path_logs_with_a_request_id_too(
    client, captured: io.StringIO, make_form, app, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The snippet's submissions are answered ahead of Flask; their log lines carry an id as well."""
    form = make_form()
    submitter = app.extensions["lc_submitter"]

    def broken(environ, key):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(submitter, "submit", broken)
    answer = client.post(
        f"/f/{form['key']}",
        json={"name": "Ana"},
        headers={"Origin": "https://example.com", "X-Request-ID": "edge-7"},
    )
    assert answer.status_code == 500 and answer.headers["X-Request-ID"] == "edge-7"
    assert "[req=edge-7]" in captured.getvalue() and "submission to form" in captured.getvalue()
