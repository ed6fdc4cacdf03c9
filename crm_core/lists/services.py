"""The admin-editable lists (statuses, sources, priorities): add, edit,
reorder, and delete — refusing to delete a value prospects or forms still use
unless they are moved to another value in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crm_core.errors import DomainError, NotFound, ValidationFailed
from crm_core.models import Priority, Prospect, Source, Status, StatusKind, WebForm

Lookup = Status | Source | Priority

_COLOUR = validate.Regexp(r"^#[0-9a-fA-F]{6}$", error="Use a colour like #1f6feb.")


@dataclass(frozen=True)
class ListKind:
    slug: str
    model: type[Status] | type[Source] | type[Priority]
    singular: str
    plural: str
    column: str  # the foreign key on prospects and forms
    has_color: bool
    has_kind: bool


KINDS: dict[str, ListKind] = {
    "statuses": ListKind("statuses", Status, "status", "Statuses", "status_id", True, True),
    "sources": ListKind("sources", Source, "source", "Sources", "source_id", False, False),
    "priorities": ListKind("priorities", Priority, "priority", "Priorities", "priority_id", True, False),
}

STATUS_KIND_LABELS: dict[StatusKind, str] = {
    StatusKind.OPEN: "Open — still being worked",
    StatusKind.QUALIFIED: "Qualified — ready to convert",
    StatusKind.CONVERTED: "Converted — became an account",
    StatusKind.JUNK: "Junk — not a real lead",
}


class _ValueSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=80, error="Fill this in (at most 80 characters)."),
        error_messages={"required": "Fill this in (at most 80 characters)."},
    )
    position = fields.Integer(
        load_default=0,
        validate=validate.Range(min=0, max=10_000, error="Use a number from 0 to 10000."),
        error_messages={"invalid": "Use a number from 0 to 10000."},
    )
    is_default = fields.Boolean(load_default=False)


class _ColouredSchema(_ValueSchema):
    color = fields.String(load_default="#6b7280", validate=_COLOUR)


class _StatusSchema(_ColouredSchema):
    kind = fields.Enum(
        StatusKind,
        by_value=True,
        load_default=StatusKind.OPEN,
        error_messages={"unknown": "Choose open, qualified, converted or junk."},
    )


_SCHEMAS = {"statuses": _StatusSchema(), "sources": _ValueSchema(), "priorities": _ColouredSchema()}


class ValueInUse(DomainError):
    def __init__(self, kind: ListKind, value: Lookup, usage: Usage):
        super().__init__(
            f"“{value.name}” is used by {usage.describe()}. "
            f"Choose another {kind.singular} to move them to, then delete."
        )
        self.usage = usage


@dataclass(frozen=True)
class Usage:
    prospects: int = 0
    forms: int = 0

    @property
    def in_use(self) -> bool:
        return bool(self.prospects or self.forms)

    def describe(self) -> str:
        parts = []
        if self.prospects:
            parts.append(f"{self.prospects} prospect{'s' if self.prospects != 1 else ''}")
        if self.forms:
            parts.append(f"{self.forms} form{'s' if self.forms != 1 else ''}")
        return " and ".join(parts) or "nothing"


def get_kind(slug: str) -> ListKind:
    try:
        return KINDS[slug]
    except KeyError:
        raise NotFound("There is no such list.") from None


def list_values(session: Session, kind: ListKind) -> list[Any]:
    model = kind.model
    return list(session.scalars(select(model).order_by(model.position, model.name)))


def get_value(session: Session, kind: ListKind, value_id: int) -> Any:
    value = session.get(kind.model, value_id)
    if value is None:
        raise NotFound(f"This {kind.singular} no longer exists.")
    return value


def usage_of(session: Session, kind: ListKind, value_id: int) -> Usage:
    prospects = session.scalar(
        select(func.count(Prospect.id)).where(getattr(Prospect, kind.column) == value_id)
    )
    forms = session.scalar(select(func.count(WebForm.id)).where(getattr(WebForm, kind.column) == value_id))
    return Usage(prospects or 0, forms or 0)


def usage_by_value(session: Session, kind: ListKind) -> dict[int, Usage]:
    counts: dict[int, list[int]] = {}
    for model, slot in ((Prospect, 0), (WebForm, 1)):
        column = getattr(model, kind.column)
        for value_id, count in session.execute(
            select(column, func.count(model.id)).where(column.is_not(None)).group_by(column)
        ):
            counts.setdefault(value_id, [0, 0])[slot] = count
    return {value_id: Usage(*pair) for value_id, pair in counts.items()}


def _load(session: Session, kind: ListKind, data: dict[str, Any], value_id: int | None) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = _SCHEMAS[kind.slug].load(data)
    except ValidationError as exc:
        raise ValidationFailed({k: [str(m) for m in v] for k, v in exc.messages.items()}) from exc  # type: ignore[union-attr]
    loaded["name"] = loaded["name"].strip()
    if not loaded["name"]:
        raise ValidationFailed({"name": ["Fill this in (at most 80 characters)."]})
    model = kind.model
    clash = session.scalar(
        select(model.id).where(func.lower(model.name) == loaded["name"].lower(), model.id != (value_id or 0))
    )
    if clash is not None:
        raise ValidationFailed({"name": [f"There is already a {kind.singular} named “{loaded['name']}”."]})
    if "color" in loaded:
        loaded["color"] = loaded["color"].lower()
    return loaded


def _make_only_default(session: Session, kind: ListKind, value: Lookup) -> None:
    model = kind.model
    session.execute(update(model).where(model.id != value.id).values(is_default=False))
    value.is_default = True


def add_value(session: Session, kind: ListKind, data: dict[str, Any]) -> Any:
    loaded = _load(session, kind, data, None)
    value = kind.model(**loaded)
    session.add(value)
    session.flush()
    if value.is_default:
        _make_only_default(session, kind, value)
    session.flush()
    return value


def update_value(session: Session, kind: ListKind, value_id: int, data: dict[str, Any]) -> Any:
    value = get_value(session, kind, value_id)
    loaded = _load(session, kind, data, value_id)
    for attr, item in loaded.items():
        setattr(value, attr, item)
    if value.is_default:
        _make_only_default(session, kind, value)
    session.flush()
    return value


def delete_value(session: Session, kind: ListKind, value_id: int, move_to: int | None = None) -> list[int]:
    """Delete a value; prospects and forms using it move to ``move_to`` first.
    Refused (``ValueInUse``) when it is in use and no replacement is given.
    Returns the ids of the forms that changed, whose cached definitions are stale."""
    value = get_value(session, kind, value_id)
    remaining = [v for v in list_values(session, kind) if v.id != value_id]
    if not remaining:
        raise DomainError(f"Keep at least one {kind.singular}.")
    usage = usage_of(session, kind, value_id)
    replacement = None
    if move_to is not None:
        if move_to == value_id:
            raise ValidationFailed({"move_to": [f"Choose a different {kind.singular}."]})
        replacement = session.get(kind.model, move_to)
        if replacement is None:
            raise ValidationFailed({"move_to": ["Choose a value from the list."]})
    elif usage.in_use:
        raise ValueInUse(kind, value, usage)
    column = kind.column
    changed_forms = list(session.scalars(select(WebForm.id).where(getattr(WebForm, column) == value_id)))
    if replacement is not None:
        session.execute(
            update(Prospect).where(getattr(Prospect, column) == value_id).values({column: replacement.id})
        )
        session.execute(
            update(WebForm).where(getattr(WebForm, column) == value_id).values({column: replacement.id})
        )
    if value.is_default:
        _make_only_default(session, kind, replacement or remaining[0])
    session.delete(value)
    session.flush()
    return changed_forms
