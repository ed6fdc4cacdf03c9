"""``/api/v1/forms`` (read): the web forms, their fields and presets — for
admins and marketing, who build them in the admin."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from capture.api.auth import roles_required
from capture.api.resource import Resource
from capture.api.schemas import Timestamp
from capture.database import db_session
from crm_core.forms.models import WebForm
from crm_core.forms.queries import get_form, list_forms
from crm_core.permissions import FORM_MANAGERS

bp = Resource(
    "forms",
    __name__,
    url_prefix="/forms",
    tag="Forms",
    description="Web forms (read only; admins and marketing).",
)


class FormFieldOut(Schema):
    name = fields.String(
        required=True, metadata={"description": "A prospect attribute, or cf_<slug> for a custom field."}
    )
    label = fields.String(required=True)
    type = fields.String(required=True)
    required = fields.Boolean(required=True)
    placeholder = fields.String(required=True)
    max_length = fields.Integer(required=True)
    options = fields.List(fields.String(), required=True)


class FormOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True, metadata={"description": "The key in the embed snippet (data-form)."})
    name = fields.String(required=True)
    active = fields.Boolean(required=True)
    language = fields.String(required=True)
    name_prefix = fields.String(required=True)
    status_id = fields.Integer(required=True, allow_none=True)
    source_id = fields.Integer(required=True, allow_none=True)
    priority_id = fields.Integer(required=True, allow_none=True)
    owner_id = fields.Integer(required=True, allow_none=True)
    allowed_domains = fields.List(fields.String(), required=True)
    fields_ = fields.Method("_fields", data_key="fields", required=True)
    created_at = Timestamp(required=True)
    updated_at = Timestamp(required=True)

    def _fields(self, form: WebForm) -> list[dict[str, Any]]:
        return FormFieldOut(many=True).dump([field.as_dict() for field in form.fields])


class FormList(Schema):
    items = fields.List(fields.Nested(FormOut), required=True)


@bp.route("", methods=["GET"], endpoint="list")
@roles_required(*FORM_MANAGERS)
@bp.response(200, FormList)
def list_all() -> dict[str, Any]:
    """List the web forms"""
    return {"items": list_forms(db_session())}


@bp.route("/<id:form_id>", methods=["GET"], endpoint="one")
@roles_required(*FORM_MANAGERS)
@bp.response(200, FormOut)
def one(form_id: int) -> WebForm:
    """Get a web form"""
    return get_form(db_session(), form_id)
