"""What every command reads: the one ``Settings`` (from the environment, with
the entry point's own needs), and database and Redis handles built from it."""

from __future__ import annotations

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import make_engine, make_session_factory
from crm_core.settings import DATABASE_NEEDS, Settings


def settings(needs: tuple[str, ...] = DATABASE_NEEDS) -> Settings:
    return Settings.from_env(needs=needs)


def session_factory(settings: Settings) -> sessionmaker[Session]:
    return make_session_factory(make_engine(settings.database_url))


def redis(settings: Settings) -> Redis | None:
    """``None`` when REDIS_URL is not set (commands that can do without it)."""
    return Redis.from_url(settings.redis_url) if settings.redis_url else None
