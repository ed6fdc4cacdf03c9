"""``/api/v1/products``: the catalogue offer lines are picked from. Everyone
reads it; only admins change it (as in the admin's Settings)."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from marshmallow import Schema, fields

from capture.api.auth import roles_required
from capture.api.resource import Resource
from capture.api.schemas import DecimalString, Strict, Timestamp, form_values, patch_of
from capture.api.writes import IDEMPOTENCY_DOC, idempotent_create, write
from capture.database import db_session
from crm_core.permissions import SETTINGS_MANAGERS
from crm_core.products.models import Product
from crm_core.products.queries import get_product, list_products
from crm_core.products.schemas import ProductSchema
from crm_core.products.services import create_product, delete_product, update_product

bp = Resource(
    "products",
    __name__,
    url_prefix="/products",
    tag="Products",
    description="The products and services catalogue.",
)


class ProductIn(ProductSchema, Strict):
    """The admin's product fields (``crm_core.products.schemas``); the price as a decimal string or number."""

    active = fields.Boolean(load_default=True)

    class Meta:
        unknown = Strict.Meta.unknown


ProductPatch = patch_of(ProductIn, "ProductPatch")


class ProductOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    price = DecimalString(places=4, required=True)
    currency = fields.String(required=True)
    unit = fields.String(required=True)
    active = fields.Boolean(required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)


class ProductList(Schema):
    items = fields.List(fields.Nested(ProductOut), required=True)


class ProductListArgs(Schema):
    active = fields.Boolean(metadata={"description": "`true`: only products that may be put on an offer."})


def _current(product: Product) -> dict[str, Any]:
    return {name: getattr(product, name) for name in ProductIn().fields}


@bp.route("", methods=["GET"], endpoint="list")
@bp.arguments(ProductListArgs, location="query", as_kwargs=True)
@bp.response(200, ProductList)
def list_all(**args: Any) -> dict[str, Any]:
    """List the catalogue (by name)"""
    return {"items": list_products(db_session(), active_only=bool(args.get("active")))}


@bp.route("", methods=["POST"], endpoint="create")
@bp.doc(**IDEMPOTENCY_DOC)
@idempotent_create
@roles_required(*SETTINGS_MANAGERS)
@bp.arguments(ProductIn)
@bp.response(201, ProductOut)
def create(data: dict[str, Any]) -> Any:
    """Add a product (admins)"""
    product = create_product(db_session(), form_values(data))
    return product, {"Location": url_for("api.products.one", product_id=product.id)}


@bp.route("/<id:product_id>", methods=["GET"], endpoint="one")
@bp.response(200, ProductOut)
def one(product_id: int) -> Product:
    """Get a product"""
    return get_product(db_session(), product_id)


@bp.route("/<id:product_id>", methods=["PATCH"], endpoint="update")
@write
@roles_required(*SETTINGS_MANAGERS)
@bp.arguments(ProductPatch)
@bp.response(200, ProductOut)
def update(data: dict[str, Any], product_id: int) -> Product:
    """Change a product (admins); offers keep the name and price their lines were given"""
    session = db_session()
    current = _current(get_product(session, product_id))
    return update_product(session, product_id, form_values({**current, **data}))


@bp.route("/<id:product_id>", methods=["DELETE"], endpoint="delete")
@write
@roles_required(*SETTINGS_MANAGERS)
@bp.response(204)
def delete(product_id: int) -> Response:
    """Delete a product (admins); offers keep their copy of its lines"""
    delete_product(db_session(), product_id)
    return Response(status=204)
