"""The one polymorphic "parent" link of the records that hang off a prospect —
and, later, off an account or an offer: contacts, activities, tasks and notes
each carry ``parent_type`` + ``parent_id`` (as EspoCRM, SuiteCRM, Odoo and
Bitrix24 do), instead of one foreign key per kind of parent.

Without a foreign key the database cannot cascade a delete, so deleting a
parent goes through ``crm_core.related.delete_related`` in the same
transaction; a test checks no record is left pointing at nothing."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Enum, Integer
from sqlalchemy.orm import Mapped, mapped_column


class ParentType(enum.StrEnum):
    PROSPECT = "prospect"
    ACCOUNT = "account"
    OFFER = "offer"


PARENT_TYPE = Enum(
    ParentType,
    native_enum=False,
    length=20,
    values_callable=lambda e: [m.value for m in e],
    name="parent_type",
)


@dataclass(frozen=True)
class Parent:
    type: ParentType
    id: int

    @classmethod
    def prospect(cls, prospect_id: int) -> Parent:
        return cls(ParentType.PROSPECT, prospect_id)


class HasParent:
    """``parent_type`` + ``parent_id``: the record belongs to that prospect (account, offer)."""

    parent_type: Mapped[ParentType] = mapped_column(PARENT_TYPE)
    parent_id: Mapped[int] = mapped_column(Integer)

    @property
    def parent(self) -> Parent:
        return Parent(self.parent_type, self.parent_id)
