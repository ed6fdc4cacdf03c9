"""Issuing, checking and revoking personal API tokens.

A token is shown once, when it is made (``Issued.secret``); afterwards only
its digest exists. Checking a token refuses, in plain words, one that is
malformed, unknown, revoked, expired, or whose user was deactivated — the
token acts as its user, so it can never do more than the user could today."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from crm_core.api_tokens.models import ApiToken
from crm_core.api_tokens.queries import get_own_token
from crm_core.api_tokens.schemas import NewTokenSchema
from crm_core.api_tokens.secret import digest, hint, is_well_formed, new_secret
from crm_core.db import utcnow
from crm_core.errors import DomainError, ValidationFailed
from crm_core.text.fields import flatten_errors
from crm_core.users.models import User

MAX_LIVE_TOKENS = 50
# last_used_at is a write; once a minute is precise enough to answer "is this token still used?".
TOUCH_EVERY = timedelta(minutes=1)
_new_token = NewTokenSchema()


class TokenRefused(DomainError):
    """The request's token cannot be used; ``str(err)`` says why."""


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str  # shown once, never stored


def create_token(
    session: Session, owner: User, data: Mapping[str, Any], now: datetime | None = None
) -> Issued:
    try:
        values = _new_token.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    now = now or utcnow()
    live = session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == owner.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
    )
    if (live or 0) >= MAX_LIVE_TOKENS:
        raise DomainError(f"You have {MAX_LIVE_TOKENS} live tokens; revoke one you no longer use first.")
    secret = new_secret()
    token = ApiToken(
        user_id=owner.id,
        name=values["name"],
        token_hash=digest(secret),
        hint=hint(secret),
        scopes=values["scopes"],
        created_at=now,
        expires_at=now + timedelta(days=values["expires_in_days"]),
    )
    session.add(token)
    session.flush()
    return Issued(token, secret)


def revoke_token(session: Session, owner: User, token_id: int, now: datetime | None = None) -> ApiToken:
    """Revoked at once and for good; revoking twice keeps the first time."""
    token = get_own_token(session, owner, token_id)
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        session.flush()
    return token


def authenticate_token(session: Session, secret: str, now: datetime | None = None) -> ApiToken:
    """The live token for ``secret``, with its active user loaded, or ``TokenRefused``."""
    now = now or utcnow()
    if not is_well_formed(secret):
        raise TokenRefused("This is not a Leadcapture API token (lcp_…); check it was copied whole.")
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None:
        raise TokenRefused("This token does not exist (it may have been deleted with its user).")
    if token.revoked_at is not None:
        raise TokenRefused("This token was revoked.")
    if token.is_expired(now):
        raise TokenRefused("This token has expired; create a new one in the admin (API tokens).")
    if not token.user.active:
        raise TokenRefused("The user of this token is deactivated.")
    return token


def touch(session: Session, token: ApiToken, now: datetime | None = None) -> bool:
    """Record that the token was used, at most once a minute; ``True`` when it wrote."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    result = session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOUCH_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    # The row is written; the loaded object learns it without a second UPDATE at commit.
    set_committed_value(token, "last_used_at", now)
    return bool(result.rowcount)  # type: ignore[attr-defined]
