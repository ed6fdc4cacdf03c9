"""The event contract: a typed, versioned envelope, the same for webhooks
(its JSON is the request body) and for notifications. Adding a field to
``data`` is compatible; renaming or removing one is a new event version."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

EVENT_VERSION = 1

EventType = Literal[
    "prospect.created",
    "prospect.updated",
    "prospect.status_changed",
    "prospect.converted",
    "prospect.deleted",
    "submission.quarantined",
    "task.created",
    "task.assigned",
    "task.completed",
    "offer.created",
    "offer.status_changed",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]


class EventEnvelope(TypedDict):
    id: str  # evt_…, stable across retries and endpoints
    type: str  # one of EVENT_TYPES
    version: int
    timestamp: str  # ISO 8601 UTC, when the change happened
    data: dict[str, Any]
