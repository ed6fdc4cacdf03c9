"""Every error the domain raises, in one module, with messages meant for people.

``capture/errors.py`` maps them to HTTP in one place: ``NotFound`` → 404,
``ValidationFailed`` → 400 (with per-field messages), any other
``DomainError`` → 409 — as an HTML page in the admin and JSON elsewhere."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; ``str(err)`` is safe to show to the user."""


class ValidationFailed(DomainError):
    """Input that breaks a rule; ``fields`` maps each field to its messages."""

    def __init__(self, fields: dict[str, list[str]], message: str = "Please correct the highlighted fields."):
        super().__init__(message)
        self.fields = fields


class NotFound(DomainError):
    """The record does not exist — or exists but is not the user's to see."""


class ValueInUse(DomainError):
    """A list value (status, source, priority) still used by prospects or forms."""


class PossibleDuplicate(DomainError):
    """Creating this would duplicate existing records (``matches``); the caller
    may link to one of them instead, or confirm and create anyway."""

    def __init__(self, message: str, matches: list[object]):
        super().__init__(message)
        self.matches = matches


class AlreadyConverted(DomainError):
    """The prospect was converted (perhaps a moment ago, by someone else)."""


class InvalidDomain(DomainError, ValueError):
    """An allowed-domain entry that is not a host, a ``*.`` wildcard or an origin."""


class ConvertInstead(DomainError):
    """A prospect moved into a "converted" status (on the board): it needs its
    account, so the person is sent to Convert / Allocate for ``prospect_id``
    instead of the status changing."""

    def __init__(self, message: str, prospect_id: int):
        super().__init__(message)
        self.prospect_id = prospect_id
