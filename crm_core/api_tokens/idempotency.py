"""``Idempotency-Key`` for creates: a client that did not see the answer to a
POST (a timeout, a dropped connection) sends it again with the same key and
gets the first answer, and only one record exists.

How: the create's own transaction first claims the key by inserting a row
(``INSERT … ON CONFLICT DO NOTHING`` on the unique (token, key)), runs the
create, and stores the answer in that row before committing. So the record
and its stored answer commit together or not at all. A concurrent request with
the same key blocks on the unique key until the first commits (PostgreSQL
waits on the row; SQLite has one writer), then finds the answer and replays
it; if the first failed and rolled back, the second claims the key itself.
A key is kept for a day, per token (older ones of the token are dropped at
its next claim); the same key with another request (method,
path or body) is refused."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_core.api_tokens.models import IdempotentRequest
from crm_core.db import utcnow
from crm_core.errors import DomainError

KEY_LIFETIME = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class KeyReused(DomainError):
    """The key was used before with a different request."""


class KeyInFlight(DomainError):
    """The first request with this key has not finished (it should have: it commits or rolls back)."""


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: str
    location: str | None


def fingerprint(method: str, path: str, body: bytes) -> str:
    hasher = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def claim(
    session: Session, token_id: int, key: str, print_: str, now: datetime | None = None
) -> IdempotentRequest | StoredAnswer:
    """The claimed row (go on and create; then ``complete``), or the answer to replay.

    Call it first in the create's transaction: on SQLite the insert is then
    the transaction's first statement, which waits for the write lock."""
    now = now or utcnow()
    # This token's keys older than a day go first (a short range of its unique index).
    session.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.token_id == token_id, IdempotentRequest.created_at < now - KEY_LIFETIME
        )
    )
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        module.insert(IdempotentRequest)
        .values(token_id=token_id, key=key, fingerprint=print_, created_at=now)
        .on_conflict_do_nothing(index_elements=["token_id", "key"])
        .returning(IdempotentRequest.id)
    ).scalar()
    if inserted is not None:
        row = session.get(IdempotentRequest, inserted)
        assert row is not None
        return row
    row = session.scalar(
        select(IdempotentRequest)
        .where(IdempotentRequest.token_id == token_id, IdempotentRequest.key == key)
        .execution_options(populate_existing=True)
    )
    if row is None or row.status_code is None or row.response_body is None:
        raise KeyInFlight("A request with this Idempotency-Key is still being processed; retry in a moment.")
    if row.fingerprint != print_:
        raise KeyReused(
            "This Idempotency-Key was already used with a different request; use a new key for a new request."
        )
    return StoredAnswer(row.status_code, row.response_body, row.location)


def complete(
    session: Session, row: IdempotentRequest, status_code: int, body: str, location: str | None
) -> None:
    row.status_code = status_code
    row.response_body = body
    row.location = location
    session.flush()
