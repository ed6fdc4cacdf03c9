"""Alembic environment: one engine, the models' metadata, batch mode for SQLite."""

from __future__ import annotations

from alembic import context

from crm_core.db import make_engine
from crm_core.models import Base

config = context.config
url = config.attributes["database_url"]

engine = make_engine(url)
sqlite = url.startswith("sqlite")
with engine.connect() as connection:
    if sqlite:
        # Alembic's batch mode copies a table and drops the old one: with foreign
        # keys enforced, dropping ``prospects`` would cascade to its history and
        # null every offer's prospect. Off outside any transaction (SQLite ignores
        # the pragma inside one), checked once the migrations are done.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        connection.commit()
        if broken:
            raise RuntimeError(f"the migrations left rows whose foreign keys point nowhere: {broken[:10]}")
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
engine.dispose()
