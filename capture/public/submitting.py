"""What happens to one ``POST /f/<key>``, free of Flask: find the form, check
the origin, read and validate the body, then quarantine it as spam or admit it
onto the queue. The outcome is data; the JSON answer (``json_path``, ahead of
Flask) and the HTML answer (the view, for the form page with JavaScript off)
are two ways of writing it, so the rules live only here."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wsgi import get_current_url

from capture.public.admission import Admitter
from capture.public.bodies import TOO_LARGE, UnreadableBody, read_form
from capture.public.form_cache import FormCache
from capture.public.intake import Submission, SubmissionInvalid, build_submission
from capture.public.render_token import RenderTokens
from capture.public.spam import quarantine
from crm_core.forms.domains import canonical_origin, origin_allowed, origin_of
from crm_core.settings import Settings
from crm_core.text.storable import marked

UNAVAILABLE = "The form is temporarily unavailable. Please try again in a moment."
NOT_FOUND = "This form does not exist or is not active."
FOREIGN = "This form does not accept submissions from this website."
TOO_MANY = "Too many submissions. Please try again in a minute."


@dataclass(frozen=True)
class Refused:
    """Nothing was queued. ``cors_origin``: who may read the answer: the
    request's canonical, allowed origin; ``*`` for a refused origin (never its
    value); none for answers given before the origin was known."""

    status: int
    message: str
    cors_origin: str | None = None
    retry_after: int | None = None
    fields: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class Invalid:
    """The visitor's answers need fixing; the form page shows them again."""

    error: SubmissionInvalid
    definition: dict[str, Any]
    data: dict[str, Any]
    cors_origin: str | None


@dataclass(frozen=True)
class Accepted:
    """Queued, or quarantined as spam: the sender is told the same either way."""

    definition: dict[str, Any]
    submission_id: str
    cors_origin: str | None = None


Outcome = Refused | Invalid | Accepted


def _header_text(value: str) -> str:
    """A header as the client wrote it: a WSGI server hands its bytes over as
    latin-1 text; a client that sent UTF-8 (a Unicode host name) is read so."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


def request_origin(environ: dict[str, Any]) -> str | None:
    """Where the request comes from, as a canonical origin (``None`` when unknown
    or malformed): its Origin header, or its Referer's origin when it sent no
    Origin. Only this canonical form is ever repeated in an answer."""
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        return canonical_origin(_header_text(origin))
    referer = environ.get("HTTP_REFERER")
    return origin_of(_header_text(referer)) if referer else None


class Submitter:
    def __init__(
        self,
        config: Mapping[str, Any],
        forms: FormCache,
        admitter: Admitter,
        render_tokens: RenderTokens,
        connection: Redis,
        logger: logging.Logger,
    ):
        # Read per request, as the views do: LC_SETTINGS is the app's one source.
        self._config = config
        self._forms = forms
        self._admitter = admitter
        self._tokens = render_tokens
        self._redis = connection
        self._logger = logger

    def own_origin(self, environ: dict[str, Any]) -> str:
        base = self._config["LC_SETTINGS"].public_base_url or get_current_url(environ, host_only=True)
        return origin_of(base) or ""

    def origin_ok(self, definition: dict[str, Any], origin: str | None, environ: dict[str, Any]) -> bool:
        # The form's own domains first: our own origin (the no-JS page, the
        # preview) needs the request's host URL, which costs more to build.
        return origin is not None and (
            origin_allowed(origin, definition["allowed_domains"]) or origin == self.own_origin(environ)
        )

    def submit(self, environ: dict[str, Any], key: str) -> Outcome:
        settings: Settings = self._config["LC_SETTINGS"]
        max_bytes = settings.max_body_bytes
        length = environ.get("CONTENT_LENGTH")
        if length and length.isascii() and length.isdigit() and int(length) > max_bytes:
            return Refused(413, TOO_LARGE)
        try:
            definition = self._forms.recent_definition(key)
        except (RedisError, SQLAlchemyError):
            return Refused(503, UNAVAILABLE, retry_after=5)
        if definition is None or not definition["active"]:
            return Refused(404, NOT_FOUND)
        origin = request_origin(environ)
        if not self.origin_ok(definition, origin, environ):
            # Readable by any page, so the snippet can say why, without repeating
            # the refused origin; nothing is created.
            return Refused(403, FOREIGN, cors_origin="*")
        try:
            data = read_form(environ, max_bytes)
        except UnreadableBody as exc:
            return Refused(
                exc.status, exc.message, cors_origin=origin, fields={} if exc.status == 400 else None
            )
        try:
            submission = build_submission(definition, self._forms.validator(definition), data)
        except SubmissionInvalid as exc:
            # The form page shows the text again, each untypable character marked.
            shown = {marked(k): marked(v) if isinstance(v, str) else v for k, v in data.items()}
            return Invalid(exc, definition, shown, origin)
        try:
            limited = self._queue(key, submission, data, environ)
        except RedisError:
            self._logger.warning("queue unreachable; answered 503 for form %s", key)
            return Refused(503, UNAVAILABLE, cors_origin=origin, retry_after=5)
        if limited is not None:
            return Refused(429, TOO_MANY, cors_origin=origin, retry_after=limited)
        return Accepted(definition, submission.submission_id, origin)

    def _queue(
        self, key: str, submission: Submission, data: dict[str, Any], environ: dict[str, Any]
    ) -> int | None:
        """Quarantines or admits; the seconds to wait when rate-limited, else ``None``."""
        spam_reason = (
            "honeypot" if submission.is_spam else self._render_token_problem(key, data.get("_lc_ts"))
        )
        if spam_reason:
            quarantine(self._redis, key, spam_reason, submission.payload)
            return None
        admission = self._admitter.admit(submission.payload, environ.get("REMOTE_ADDR") or "unknown")
        return admission.retry_after if admission.limited else None

    def _render_token_problem(self, key: str, token: Any) -> str | None:
        if not token:
            return "no render token" if self._config["LC_SETTINGS"].require_render_token else None
        return None if self._tokens.is_plausible(key, str(token)) else "implausible render time"
