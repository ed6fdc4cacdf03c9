"""Which saved forms the public side must see anew.

Every service that changes what a form's definition says (create, update,
duplicate, (de)activate, delete, or a list value moved under its presets)
marks the form in its session here. The form cache (``capture.public``)
listens for the session's commit and publishes the new definitions — one
"form saved" path instead of each caller remembering to republish, and never
before the change is committed (nor at all when it is rolled back)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.forms.definition import FormDefinition, form_definition
from crm_core.forms.models import WebForm

_CHANGED = "lc_forms_changed"
_DELETED = "lc_forms_deleted"


@dataclass
class FormChanges:
    """Definitions to publish and keys to forget, once the transaction commits."""

    definitions: list[FormDefinition] = field(default_factory=list)
    deleted_keys: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.definitions or self.deleted_keys)


def mark_changed(session: Session, form_ids: Iterable[int]) -> None:
    session.info.setdefault(_CHANGED, set()).update(form_ids)


def mark_deleted(session: Session, key: str) -> None:
    session.info.setdefault(_DELETED, set()).add(key)


def take_changes(session: Session) -> FormChanges:
    """The marked forms' definitions as they will be committed (call just
    before the commit); clears the marks."""
    ids = session.info.pop(_CHANGED, set())
    deleted = session.info.pop(_DELETED, set())
    changes = FormChanges(deleted_keys=sorted(deleted))
    if ids:
        session.flush()  # updated_at (the definition's version) is set by the flush
        forms = session.scalars(
            select(WebForm).where(WebForm.id.in_(ids)).execution_options(populate_existing=True)
        )
        changes.definitions = [form_definition(form) for form in forms]
    return changes


def drop_changes(session: Session) -> None:
    """A rolled-back transaction publishes nothing."""
    session.info.pop(_CHANGED, None)
    session.info.pop(_DELETED, None)
