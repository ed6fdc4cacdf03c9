"""What time it is where the business is: "today", "overdue" and the start of
a week depend on the instance's time zone (``Settings.time_zone``), not on the
server's or UTC. Times are stored in UTC; dates a person picks (a task's due
date) are stored as they picked them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(UTC)


def today(zone: ZoneInfo) -> date:
    return now().astimezone(zone).date()


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time someone typed (``<input type=datetime-local>``) → UTC."""
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return local.astimezone(UTC)


def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC moment a local day starts."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
