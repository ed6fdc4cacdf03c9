"""Alembic, driven from code so ``leadcapture db upgrade`` works from an
installed package without an alembic.ini in the current directory."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def previous_revision(revision: str) -> str:
    """The revision a migration upgrades from (its ``down_revision``): what a
    test of that migration starts at, whatever is inserted before it later."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(""))
    down = script.get_revision(revision).down_revision
    if not isinstance(down, str):
        raise ValueError(f"revision {revision} has no single parent: {down!r}")
    return down
