"""What may be typed for a note: any text, kept as typed."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema

from crm_core.notes.models import MAX_NOTE
from crm_core.text.fields import Lines


class NoteSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    body = Lines(MAX_NOTE, required=True)
