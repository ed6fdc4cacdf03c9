"""The boards', reports' and home page's queries read a few thousand index
entries, but the planner estimates them high (it cannot see how small a
report's list of cut days is), and on PostgreSQL a high estimate buys two
things made for queries that run for seconds:

- the JIT compiler: compiling a cut-day query took most of its 317 ms at a
  million prospects;
- parallel workers: starting them took 370-920 ms of a 1.2 s weekly report on
  the shared 2-core bench host (bench/README.md, "Board, reports and home").

These pages turn both off for their own transaction."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def for_short_reads(session: Session) -> None:
    """``SET LOCAL jit = off`` and no parallel workers on PostgreSQL (until the
    transaction ends); nothing elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
