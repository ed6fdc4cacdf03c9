"""Changing the catalogue (admins). Offers keep the name and price a line was
given, so editing or deleting a product never alters an offer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import ValidationFailed
from crm_core.products.models import Product
from crm_core.products.queries import get_product
from crm_core.products.schemas import ProductSchema
from crm_core.text.fields import flatten_errors

_schema = ProductSchema()


def _load(session: Session, data: Mapping[str, Any], product_id: int | None) -> dict[str, Any]:
    try:
        values: dict[str, Any] = _schema.load(dict(data))
    except ValidationError as exc:
        raise ValidationFailed(flatten_errors(exc.messages)) from exc
    clash = session.scalar(
        select(Product.id).where(
            func.lower(Product.code) == values["code"].lower(), Product.id != (product_id or 0)
        )
    )
    if clash is not None:
        raise ValidationFailed({"code": [f"Another product already has the code “{values['code']}”."]})
    return values


def create_product(session: Session, data: Mapping[str, Any]) -> Product:
    product = Product(**_load(session, data, None))
    session.add(product)
    session.flush()
    return product


def update_product(session: Session, product_id: int, data: Mapping[str, Any]) -> Product:
    product = get_product(session, product_id)
    for name, value in _load(session, data, product_id).items():
        setattr(product, name, value)
    session.flush()
    return product


def delete_product(session: Session, product_id: int) -> Product:
    product = get_product(session, product_id)
    session.delete(product)  # lines keep their copy; their product link becomes empty
    session.flush()
    return product
