"""The prospect card's rendering, shared by the card itself and by every route
that posts from it: a form on the card that fails validation shows the card
again (400) with that form open, what was typed kept and the messages beside
its fields, while every other form keeps its defaults.

Also the card's template filters: times in the instance's zone (stored in
UTC, typed and shown as wall-clock times where the business is) and note text
with clickable links (``capture.admin.linkify``)."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, url_for

from capture.admin.auth import viewer
from capture.admin.linkify import linkify
from capture.admin.prospects import bp
from capture.admin.record_card import (
    CardLinks,
    FormState,
    card_vocabulary,
    default_forms,
    parent_card_url,
    user_options,
)
from capture.database import db_session
from capture.instance import zone
from crm_core.clock import to_local
from crm_core.errors import NotFound
from crm_core.parents import Parent
from crm_core.prospects.card import load_card
from crm_core.prospects.labels import FIELD_LABELS
from crm_core.prospects.queries import find_duplicates
from crm_core.timeline import FILTERS

SHOWN = "%Y-%m-%d %H:%M"


def render_card(
    prospect_id: int,
    *,
    form: str | None = None,
    state: FormState | None = None,
    filter_key: str = "all",
    after: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The card; ``form``/``state``: the card form that failed and what it holds."""
    session = db_session()
    user = viewer()
    filter_key = filter_key if filter_key in FILTERS else "all"
    card = load_card(session, user, prospect_id, filter_key=filter_key, after=after)
    forms = default_forms(card.primary_contact, user)
    if form is not None and state is not None:
        forms[form] = state
    return (
        render_template(
            "admin/prospects/detail.html",
            p=card.prospect,
            card=card,
            forms=forms,
            labels=FIELD_LABELS,
            duplicates=find_duplicates(session, user, card.prospect),
            links=prospect_links(card.prospect.id),
            filter_key=filter_key,
            after=after,
            user_options=user_options(card.active_users),
            priority_options=[(p.id, p.name) for p in card.priorities],
            **card_vocabulary(),
        ),
        status,
    )


def check_on_prospect(parent: Parent | None, prospect_id: int) -> None:
    """A record reached through a prospect's URL must be that prospect's."""
    if parent != Parent.prospect(prospect_id):
        raise NotFound("This record is not on this prospect.")


def prospect_links(prospect_id: int) -> CardLinks:
    return CardLinks(Parent.prospect(prospect_id), "admin.prospects.")


def card_url(prospect_id: int, anchor: str) -> str:
    return url_for("admin.prospects.detail", prospect_id=prospect_id, _anchor=anchor)


@bp.app_template_filter("local_time")
def local_time(moment: datetime | None, fmt: str = SHOWN) -> str:
    """A stored (UTC) moment as a wall-clock time in the instance's zone."""
    return to_local(moment, zone()).strftime(fmt) if moment else ""


@bp.app_template_filter("local_span")
def local_span(start: datetime, end: datetime | None) -> str:
    """A meeting's time: "2030-01-02 10:00" to "11:00", the end's day shown only when it differs."""
    if end is None:
        return local_time(start)
    same_day = to_local(start, zone()).date() == to_local(end, zone()).date()
    return f"{local_time(start)}\u2013{local_time(end, '%H:%M' if same_day else SHOWN)}"


bp.add_app_template_filter(linkify, "linkify")
bp.add_app_template_global(parent_card_url, "parent_card_url")
