"""Domain errors with messages meant for people, and per-field details for forms."""

from __future__ import annotations


class DomainError(Exception):
    """A request the domain refuses; ``str(err)`` is safe to show to the user."""


class ValidationFailed(DomainError):
    def __init__(self, fields: dict[str, list[str]], message: str = "Please correct the highlighted fields."):
        super().__init__(message)
        self.fields = fields


class NotFound(DomainError):
    pass
