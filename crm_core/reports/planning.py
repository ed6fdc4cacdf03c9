"""PostgreSQL's JIT compiler is made for queries that run for seconds: it
compiles a plan to machine code when the planner's cost estimate is high. A
report's cut-day query is estimated high (the planner cannot see how small
its list of day ranges is) but reads a few thousand index entries; at a
million prospects, compiling it took most of its 317 ms (bench/README.md,
"Board, reports and home"). The reports, the boards and the home page turn
JIT off for their own transaction."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def without_jit(session: Session) -> None:
    """``SET LOCAL jit = off`` on PostgreSQL (until the transaction ends); nothing elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
