"""What may be typed for a contact."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields

from crm_core.contacts.models import CONTACT_TEXT_FIELDS
from crm_core.text.fields import Line, email_address, phone_number


class ContactSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    name = Line(CONTACT_TEXT_FIELDS["name"], required=True)
    job_title = Line(CONTACT_TEXT_FIELDS["job_title"])
    department = Line(CONTACT_TEXT_FIELDS["department"])
    phone = Line(CONTACT_TEXT_FIELDS["phone"], validate=phone_number)
    email = Line(CONTACT_TEXT_FIELDS["email"], validate=email_address)
    is_primary = fields.Boolean(load_default=False, truthy={"1", "on", "true", "yes"}, falsy={"", "0", "off"})
