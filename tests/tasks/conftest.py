"""Tasks pages' fixtures: the prospects workspace's staff, clients and prospect
factory, a task factory going through the domain service, and an instance
time zone whose date is not UTC's right now — so a test that passes only
because "today" was counted in UTC fails."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.parents import Parent
from crm_core.settings import Settings
from crm_core.tasks.services import create_task
from crm_core.users.models import User
from tests.prospects.conftest import (  # noqa: F401 (fixtures)
    _fast_password_hashes,
    add_prospect,
    as_user,
    list_ids,
    staff,
)


def far_zone_name(moment: datetime | None = None) -> str:
    """A zone whose date differs from UTC's at ``moment``: Kiritimati (UTC+14)
    from 10:30 UTC, Pago Pago (UTC-11) before — each well inside its own day."""
    moment = moment or datetime.now(UTC)
    return "Pacific/Kiritimati" if (moment.hour, moment.minute) >= (10, 30) else "Pacific/Pago_Pago"


ZONE = ZoneInfo(far_zone_name())


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, time_zone=ZONE.key)


@pytest.fixture
def zone_today() -> date:
    local = datetime.now(ZONE).date()
    assert local != datetime.now(UTC).date(), "the test zone must not share UTC's date"
    return local


TaskFactory = Callable[..., int]


@pytest.fixture
def add_task(session_factory: sessionmaker[Session], staff: dict[str, User]) -> TaskFactory:  # noqa: F811
    """``add_task("Call", owner="sales", due=date, prospect_id=None, **fields)`` → the task id,
    created by an admin through ``create_task`` (so the prospect's summary is kept)."""

    def make(
        name: str, owner: str = "sales", due: date | None = None, prospect_id: int | None = None, **extra: Any
    ) -> int:
        data = {
            "name": name,
            "owner_id": str(staff[owner].id),
            "due_date": due.isoformat() if due else "",
            **{k: str(v) for k, v in extra.items()},
        }
        with transaction(session_factory) as session:
            editor = session.get(User, staff["admin"].id)
            assert editor is not None
            parent = Parent.prospect(prospect_id) if prospect_id else None
            return create_task(session, editor, parent, data).id

    return make
