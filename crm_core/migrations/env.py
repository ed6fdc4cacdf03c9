"""Alembic environment: one engine, the models' metadata, batch mode for SQLite."""

from __future__ import annotations

from alembic import context

from crm_core.db import make_engine
from crm_core.models import Base

config = context.config
url = config.attributes["database_url"]

engine = make_engine(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=url.startswith("sqlite"),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
