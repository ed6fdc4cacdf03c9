"""What an account's card or an offer's page needs to show the related-records
panels: the records (``crm_core.record_card``), each form's state — a form
that failed keeps what was typed and its messages —, the panels' addresses and
their words and choices."""

from __future__ import annotations

from typing import Any

from capture.admin.auth import viewer
from capture.admin.record_card import CardLinks, FormState, card_vocabulary, default_forms, user_options
from capture.database import db_session
from crm_core.parents import Parent
from crm_core.record_card import load_record_card
from crm_core.timeline import FILTER_LABELS

# The timeline's filters but "changes": an account or an offer keeps no field history there.
RECORD_FILTERS = {key: label for key, label in FILTER_LABELS.items() if key != "changes"}


def links_of(parent: Parent) -> CardLinks:
    return CardLinks(parent, f"admin.related.{parent.type.value}_")


def related_context(
    parent: Parent,
    *,
    form: str | None = None,
    state: FormState | None = None,
    filter_key: str = "all",
    after: str | None = None,
) -> dict[str, Any]:
    """The panels' template variables; ``form``/``state``: the form that failed and what it holds."""
    user = viewer()
    filter_key = filter_key if filter_key in RECORD_FILTERS else "all"
    card = load_record_card(db_session(), user, parent, filter_key=filter_key, after=after)
    forms = default_forms(card.primary_contact, user)
    if form is not None and state is not None:
        forms[form] = state
    return {
        **card_vocabulary(),
        "card": card,
        "forms": forms,
        "links": links_of(parent),
        "filters": RECORD_FILTERS,
        "filter_key": filter_key,
        "after": after,
        "user_options": user_options(card.active_users),
        "priority_options": [(p.id, p.name) for p in card.priorities],
    }
