"""One log line per accepted submission, for a person watching the terminal
(``leadcapture serve`` turns it on: ``Settings.log_submissions``); the worker
writes the matching "landed" line.

It watches the answers of ``POST /f/<key>`` from outside the app rather than
from the submit path itself, so the path stays as measured when the feed is off
(the default: at a campaign's rate the lines would cost more than the answers'
other logging). A 202 (the snippet) or a 303 (the form page without
JavaScript) is an accepted submission; suspected spam is answered the same way
on purpose and shows on the admin "Submissions" page instead of landing."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from crm_core.log_context import SUBMISSIONS_LOGGER

log = logging.getLogger(SUBMISSIONS_LOGGER)

_PREFIX = "/f/"
_ACCEPTED = ("202", "303")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def init_app(app: Flask) -> None:
    if app.config["LC_SETTINGS"].log_submissions:
        app.wsgi_app = AcceptedSubmissionLog(app.wsgi_app)  # type: ignore[method-assign]


class AcceptedSubmissionLog:
    def __init__(self, app: WSGIApp):
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        key = path[len(_PREFIX) :]
        if environ.get("REQUEST_METHOD") != "POST" or not path.startswith(_PREFIX) or not key or "/" in key:
            return self._app(environ, start_response)
        statuses: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        body = self._app(environ, recording)
        if statuses and statuses[-1][:3] in _ACCEPTED:
            log.info("submission %s accepted (form %s)", _submission_id(body), key)
        return body


def _submission_id(body: Iterable[bytes]) -> str:
    """The id the JSON answer carries (the worker's "landed" line names the same
    one); the form page's 303 carries none."""
    if isinstance(body, list):
        with contextlib.suppress(ValueError, KeyError, TypeError):
            return str(json.loads(b"".join(body))["id"])
    return "(from the form page)"
