"""Form definitions cached in Redis, so the submit path never reads the
database and keeps accepting leads while the database is down.

A committed change to a form publishes its new definition here
(``publish_on_commit``: the one "form saved" path, fed by the marks
``crm_core.forms.publishing`` leaves in the session); a cold miss (a Redis
restored without the key) reads the database once and republishes. Compiled
validators are memoised per form version in the process."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from capture import redis_keys
from crm_core.forms.definition import FormDefinition, form_definition
from crm_core.forms.publishing import FormChanges, drop_changes, take_changes
from crm_core.forms.queries import get_form_by_key, list_forms
from crm_core.forms.validation import SubmissionValidator, compile_validator

log = logging.getLogger(__name__)

_MISSING = b"null"
_MISSING_TTL = 60  # seconds an unknown key is remembered, so junk keys cost no database reads


def publish(connection: Redis, definition: FormDefinition, ttl: int | None = None) -> None:
    """``ttl`` (seconds) only for throw-away definitions, such as admin previews."""
    connection.set(
        redis_keys.form_definition(definition["key"]), json.dumps(definition, separators=(",", ":")), ex=ttl
    )


def publish_all(connection: Redis, factory: sessionmaker[Session]) -> int:
    with factory() as session:
        forms = list_forms(session)
        for form in forms:
            publish(connection, form_definition(form))
    return len(forms)


def forget(connection: Redis, key: str) -> None:
    connection.set(redis_keys.form_definition(key), _MISSING, ex=_MISSING_TTL)


PUBLISH_FAILED = "lc_publish_failed"


def publish_on_commit(factory: sessionmaker[Session], connection: Redis) -> None:
    """Publish every form a transaction of ``factory``'s sessions changed, once
    it commits. A Redis that cannot be reached does not undo the saved change:
    it is logged, and ``session.info[PUBLISH_FAILED]`` tells the caller to say so
    (the definition is refreshed on the next save, or by ``leadcapture forms publish``)."""
    pending: dict[int, FormChanges] = {}

    @event.listens_for(factory, "before_commit")
    def _collect(session: Session) -> None:
        changes = take_changes(session)
        if changes:
            pending[id(session)] = changes

    @event.listens_for(factory, "after_commit")
    def _publish(session: Session) -> None:
        changes = pending.pop(id(session), None)
        session.info.pop(PUBLISH_FAILED, None)
        if changes is None:
            return
        try:
            for definition in changes.definitions:
                publish(connection, definition)
            for key in changes.deleted_keys:
                forget(connection, key)
        except RedisError:
            log.warning("could not publish changed forms; they refresh on the next save")
            session.info[PUBLISH_FAILED] = True

    @event.listens_for(factory, "after_rollback")
    def _forget(session: Session) -> None:
        pending.pop(id(session), None)
        drop_changes(session)


class FormCache:
    def __init__(self, connection: Redis, factory: Callable[[], Session], local_ttl: float = 1.0):
        self._redis = connection
        self._factory = factory
        self._validators: dict[tuple[str, str], SubmissionValidator] = {}
        # The submit path keeps definitions in the process for ``local_ttl``
        # seconds: one Redis round trip fewer per submission, and a saved form
        # reaches every process within that time.
        self._local_ttl = local_ttl
        self._local: dict[str, tuple[float, FormDefinition | None]] = {}

    def recent_definition(self, key: str) -> FormDefinition | None:
        """``definition(key)``, answered from this process when fetched within
        the last ``local_ttl`` seconds."""
        now = time.monotonic()
        cached = self._local.get(key)
        if cached is not None and now - cached[0] < self._local_ttl:
            return cached[1]
        definition = self.definition(key)
        if len(self._local) > 10_000:
            self._local.clear()
        self._local[key] = (now, definition)
        return definition

    def definition(self, key: str, count_view: bool = False) -> FormDefinition | None:
        """The form's definition, or ``None`` for an unknown key. Raises the Redis
        (or, on a cold miss, database) error when the service cannot tell.
        ``count_view`` counts a form view in the same round trip."""
        if not key or len(key) > 32:
            return None
        if count_view:
            pipe = self._redis.pipeline(transaction=False)
            pipe.get(redis_keys.form_definition(key))
            pipe.incr(redis_keys.stat("views", key))
            raw = pipe.execute()[0]
        else:
            raw = self._redis.get(redis_keys.form_definition(key))
        if raw == _MISSING:
            return None
        if raw is not None:
            return json.loads(raw)
        with self._factory() as session:
            form = get_form_by_key(session, key)
            definition = form_definition(form) if form else None
        if definition is None:
            forget(self._redis, key)
        else:
            publish(self._redis, definition)
        return definition

    def validator(self, definition: FormDefinition) -> SubmissionValidator:
        memo_key = (definition["key"], definition["version"])
        validator = self._validators.get(memo_key)
        if validator is None:
            if len(self._validators) > 1000:
                self._validators.clear()
            validator = compile_validator(definition["fields"], definition["language"])
            self._validators[memo_key] = validator
        return validator
