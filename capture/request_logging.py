"""Every log line a request writes carries its request id: the client's (or
the proxy's) ``X-Request-ID`` when it is a short token, else a fresh one; the
answer echoes it so a user's report can be matched to the log."""

from __future__ import annotations

import re
import secrets

from flask import Flask, Response, g, request

from crm_core.log_context import set_log_context

_TOKEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id(incoming: str | None) -> str:
    return incoming if incoming and _TOKEN.match(incoming) else secrets.token_hex(6)


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_echo)
    # The thread serves other requests next: none may log under this one's id.
    app.teardown_request(lambda _exc: set_log_context())


def _start() -> None:
    g.request_id = request_id(request.headers.get("X-Request-ID"))
    set_log_context(req=g.request_id)


def _echo(response: Response) -> Response:
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response
