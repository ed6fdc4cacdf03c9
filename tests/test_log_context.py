"""Every log line carries its context: the request id of a web request (the
proxy's ``X-Request-ID`` when it is a sane token, echoed in the answer) and the
job id in the worker — set once where the work starts, by a logging filter."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from capture.app import create_app
from crm_core.log_context import ContextFilter, configure_logging, log_context
from crm_core.settings import Settings


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


@pytest.mark.parametrize("feed", [True, False])
def test_the_submissions_feed_says_accepted_and_landed_once_per_submission(
    feed: bool,
    captured: io.StringIO,
    settings: Settings,
    make_form: Callable[..., dict[str, Any]],
    drain: Callable[[], int],
) -> None:
    """`leadcapture serve` turns the feed on (LOG_SUBMISSIONS): one line per
    submission accepted by the web app and one per submission landed — also
    for the ones batched behind another; production leaves it off."""
    configure_logging(logging.INFO, captured, submissions=feed)
    app = create_app(replace(settings, log_submissions=feed))
    try:
        form = make_form()
        client = app.test_client()
        ids = []
        for n in range(3):
            answer = client.post(
                f"/f/{form['key']}",
                data={"name": f"Visitor {n}", "email": f"v{n}@example.com"},
                headers={"Origin": "https://example.com"},
            )
            assert answer.status_code == 202
            ids.append(answer.get_json()["id"])
        assert drain() >= 1
    finally:
        app.extensions["lc_redis"].close()
        app.extensions["lc_engine"].dispose()
        configure_logging(logging.INFO, captured)  # the feed off again, as everywhere else
    lines = captured.getvalue().splitlines()
    for submission_id in ids:
        accepted = [
            line for line in lines if f"submission {submission_id} accepted (form {form['key']})" in line
        ]
        landed = [line for line in lines if f"submission {submission_id} landed in the CRM" in line]
        assert (len(accepted), len(landed)) == ((1, 1) if feed else (0, 0)), lines
    assert any("prospect(s) created" in line for line in lines) != feed, (
        "the batch line, when the feed is off"
    )
