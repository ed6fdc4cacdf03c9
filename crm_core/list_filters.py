"""What the lists' filters share: the owner filter's tokens — user ids, "me"
(whoever looks) — resolved for the viewer."""

from __future__ import annotations

from collections.abc import Iterable

from crm_core.users.models import User

OWNER_ME = "me"
# Ids live in 32-bit integer columns: a bigger number is nobody, not a database error.
MAX_ID = 2**31 - 1


def owner_ids(tokens: Iterable[str], viewer: User) -> list[int]:
    ids = {
        viewer.id if item == OWNER_ME else int(item)
        for item in tokens
        if item == OWNER_ME or (item.isdigit() and 0 < int(item) <= MAX_ID)
    }
    return sorted(ids)
