"""Every ``lc:*`` key Leadcapture keeps in Redis, built here and nowhere else,
so what lives in Redis (and what a flush or an eviction would lose) can be read
in one place. RQ's own keys (``rq:*``) are RQ's. One more lives with the
worker, which imports nothing from here: ``lc:dispatch:queued``
(``worker/enqueueing.py``), set while a dispatch job waits unstarted."""

from __future__ import annotations

PREFIX = "lc:"


def form_definition(form_key: str) -> str:
    """The cached form definition (JSON), or ``null`` for an unknown key."""
    return f"lc:form:{form_key}"


def stat(kind: str, form_key: str | None = None) -> str:
    """Counters: ``views``, ``submissions`` and ``spam``, per form or in all."""
    return f"lc:stats:{kind}:{form_key}" if form_key else f"lc:stats:{kind}"


def rate_limit(scope: str, subject: str, window_number: int) -> str:
    """Accepted submissions of one scope (ip, form, global) in one time window."""
    return f"lc:rl:{scope}:{subject}:{window_number}"


def quarantine(form_key: str) -> str:
    """Submissions held as suspected spam, newest first, for review."""
    return f"lc:spam:{form_key}"


def login_failures(kind: str, subject: str) -> str:
    """Failed sign-ins per ``account`` (a hash of the email) or per ``ip``."""
    return f"lc:login:fail:{kind}:{subject}"


def api_requests(token_id: int, window_number: int) -> str:
    """REST API requests of one token in one time window (``API_RATE_LIMIT``)."""
    return f"lc:api:rl:{token_id}:{window_number}"
