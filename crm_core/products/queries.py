"""Reading the catalogue."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.errors import NotFound
from crm_core.products.models import Product


def list_products(session: Session, *, active_only: bool = False) -> list[Product]:
    stmt = select(Product)
    if active_only:
        stmt = stmt.where(Product.active.is_(True))
    return list(session.scalars(stmt.order_by(Product.name, Product.id)))


def get_product(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound("This product no longer exists.")
    return product
