"""Context on every log line: the request id (admin and public requests) or
the job id (worker), set once where the work starts and read by a logging
filter, instead of being formatted into each message at each call site.

``configure_logging`` is called once by each entry point (gunicorn's app,
``leadcapture serve``, ``leadcapture worker``), never at import."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_context: ContextVar[str] = ContextVar("lc_log_context", default="-")

FORMAT = "%(asctime)s %(levelname)s [%(context)s] %(name)s: %(message)s"

# One line per accepted (web) and per landed (worker) submission, on its own
# logger so an entry point turns the feed on or off without touching the rest.
SUBMISSIONS_LOGGER = "leadcapture.submissions"
# RQ says at INFO what our own lines already say (each job, each maintenance
# pass every 30 s, "Job OK"), at a cost per job; its warnings and errors stay.
QUIET_LOGGERS = ("rq",)


class ContextFilter(logging.Filter):
    """Adds ``record.context`` ("req=3f2a9c1e", "job=…", or "-")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "context"):
            record.context = _context.get()
        return True


@contextmanager
def log_context(**values: str) -> Iterator[None]:
    """``with log_context(req="3f2a9c1e"):`` — every line inside carries it."""
    token = _context.set(" ".join(f"{key}={value}" for key, value in values.items()))
    try:
        yield
    finally:
        _context.reset(token)


def set_log_context(**values: str) -> None:
    """For frameworks that give no ``with`` around the work (a request's
    lifetime in Flask): the value holds until the next call in this context."""
    _context.set(" ".join(f"{key}={value}" for key, value in values.items()) or "-")


def configure_logging(level: int = logging.INFO, stream: object = None, submissions: bool = False) -> None:
    """One stream handler on the root logger, with the context filter. Calling
    it again replaces the handler instead of adding a second one.
    ``submissions`` turns on the per-submission feed (``SUBMISSIONS_LOGGER``)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_lc_context", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream)  # type: ignore[arg-type]
    handler._lc_context = True  # type: ignore[attr-defined]
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger(SUBMISSIONS_LOGGER).setLevel(logging.INFO if submissions else logging.WARNING)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
