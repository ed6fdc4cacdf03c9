"""Reading a user's tokens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.api_tokens.models import ApiToken
from crm_core.errors import NotFound
from crm_core.users.models import User


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, live ones first, newest first."""
    stmt = (
        select(ApiToken)
        .where(ApiToken.user_id == user.id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(session.scalars(stmt))


def get_own_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))
    if token is None:
        raise NotFound("No such token.")
    return token
