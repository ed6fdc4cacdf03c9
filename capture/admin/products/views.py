"""The catalogue's pages (admins only): list, add, edit, deactivate, delete.
Editing or deleting a product never changes an offer: lines keep the name and
price they were given."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from capture.admin.auth import roles_required
from capture.admin.offers.amounts import price_text, typed_number
from capture.admin.products import bp
from capture.database import db_session
from capture.instance import settings
from crm_core.errors import ValidationFailed
from crm_core.offers.models import OfferLine
from crm_core.permissions import SETTINGS_MANAGERS
from crm_core.products.models import Product
from crm_core.products.queries import get_product, list_products
from crm_core.products.services import create_product, delete_product, set_product_active, update_product

PRODUCT_FIELDS = ("code", "name", "price", "currency", "unit", "active")


@bp.get("/products", endpoint="index")
@roles_required(*SETTINGS_MANAGERS)
def products_index() -> str:
    return render_template("admin/products/list.html", products=list_products(db_session()))


def _posted() -> dict[str, str]:
    data = {f: request.form[f] for f in PRODUCT_FIELDS if f in request.form}
    if "price" in data:
        data["price"] = typed_number(data["price"])
    data.setdefault("active", "")  # an unticked box sends nothing
    return data


def _render_form(product: Product | None, values: dict[str, str], errors: dict[str, list[str]], status: int):  # type: ignore[no-untyped-def]
    return render_template("admin/products/form.html", product=product, values=values, errors=errors), status


@bp.route("/products/new", methods=["GET", "POST"], endpoint="new")
@roles_required(*SETTINGS_MANAGERS)
def product_new():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        return _render_form(
            None, {"currency": settings().default_currency, "unit": "pc", "active": "1"}, {}, 200
        )
    session = db_session()
    try:
        product = create_product(session, _posted())
    except ValidationFailed as exc:
        session.rollback()
        return _render_form(None, dict(request.form), exc.fields, 400)
    session.commit()
    flash(f"“{product.name}” added to the catalogue.", "success")
    return redirect(url_for("admin.products.index"))


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"], endpoint="edit")
@roles_required(*SETTINGS_MANAGERS)
def product_edit(product_id: int):  # type: ignore[no-untyped-def]
    session = db_session()
    product = get_product(session, product_id)
    if request.method == "GET":
        values = {
            "code": product.code,
            "name": product.name,
            "price": price_text(product.price, product.currency),
            "currency": product.currency,
            "unit": product.unit,
            "active": "1" if product.active else "",
        }
        return _render_form(product, values, {}, 200)
    try:
        update_product(session, product.id, _posted())
    except ValidationFailed as exc:
        session.rollback()
        return _render_form(get_product(session, product_id), dict(request.form), exc.fields, 400)
    session.commit()
    flash("Changes saved. Offers keep the names and prices their lines were given.", "success")
    return redirect(url_for("admin.products.index"))


@bp.post("/products/<int:product_id>/active", endpoint="active")
@roles_required(*SETTINGS_MANAGERS)
def product_active(product_id: int) -> Response:
    session = db_session()
    active = request.form.get("active") == "1"
    product = set_product_active(session, product_id, active)
    session.commit()
    state = "is offered again" if active else "is no longer offered for new lines"
    flash(f"“{product.name}” {state}.", "success")
    return redirect(url_for("admin.products.index"))


@bp.route("/products/<int:product_id>/delete", methods=["GET", "POST"], endpoint="delete")
@roles_required(*SETTINGS_MANAGERS)
def product_delete(product_id: int) -> Response | str:
    session = db_session()
    product = get_product(session, product_id)
    if request.method == "GET":
        used = session.scalar(
            select(func.count()).select_from(OfferLine).where(OfferLine.product_id == product.id)
        )
        return render_template("admin/products/delete.html", product=product, used=used or 0)
    name = product.name
    delete_product(session, product.id)
    session.commit()
    flash(f"“{name}” deleted from the catalogue.", "success")
    return redirect(url_for("admin.products.index"))
