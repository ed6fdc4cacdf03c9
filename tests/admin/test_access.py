"""Every route's access rule: anonymous visitors are sent to the login page,
and each admin endpoint answers 403 to the roles it is not meant for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from capture.app import create_app
from crm_core.accounts.services import create_account
from crm_core.activities.services import log_activity
from crm_core.contacts.services import add_contact
from crm_core.models import OfferStatus, Role, Status, User
from crm_core.notes.services import add_note
from crm_core.offers.services import add_line, create_offer
from crm_core.parents import Parent, ParentType
from crm_core.permissions import ALL_ROLES
from crm_core.products.services import create_product
from crm_core.prospects.services import create_prospect
from crm_core.settings import Settings
from crm_core.tasks.services import create_task
from tests.admin.conftest import UserFactory
from tests.admin.transfers import draft_import, finished_export
from tests.connect.factories import connect_ids
from tests.tasks.rows import a_template

# Public by design besides the ``public.`` blueprint and static files.
PUBLIC_ENDPOINTS = {"admin.account.login", "health.healthz"}

ADMIN = {Role.ADMIN}
FORMS = {Role.ADMIN, Role.MARKETING}
EVERYONE = set(ALL_ROLES)

# Who may use each endpoint this area owns; endpoints of other areas are
# checked against the roles their views declare.
EXPECTED_ROLES: dict[str, set[Role]] = {
    "admin.account.change_password": EVERYONE,
    "admin.forms.index": FORMS,
    "admin.forms.create": FORMS,
    "admin.forms.edit": FORMS,
    "admin.forms.save": FORMS,
    "admin.forms.active": FORMS,
    "admin.forms.delete_confirm": FORMS,
    "admin.forms.delete": FORMS,
    "admin.forms.draft": FORMS,
    "admin.forms.duplicate": FORMS,
    "admin.forms.preview": FORMS,
    "admin.settings.index": ADMIN,
    "admin.settings.list": ADMIN,
    "admin.settings.add": ADMIN,
    "admin.settings.update": ADMIN,
    "admin.settings.delete_confirm": ADMIN,
    "admin.settings.delete": ADMIN,
    "admin.settings.task_templates": ADMIN,
    "admin.settings.task_template_new": ADMIN,
    "admin.settings.task_template_edit": ADMIN,
    "admin.settings.task_template_delete": ADMIN,
    "admin.users.index": ADMIN,
    "admin.users.create": ADMIN,
    "admin.users.active": ADMIN,
    "admin.users.reset_password": ADMIN,
    "admin.users.role": ADMIN,
    "admin.prospects.index": EVERYONE,
    "admin.tasks.index": EVERYONE,
    "admin.tasks.new": EVERYONE,
    "admin.tasks.edit": EVERYONE,
    "admin.tasks.set_status": EVERYONE,
    "admin.tasks.reschedule": EVERYONE,
    "admin.tasks.delete": EVERYONE,
    "admin.webhooks.index": ADMIN,
    "admin.webhooks.create": ADMIN,
    "admin.webhooks.detail": ADMIN,
    "admin.webhooks.update": ADMIN,
    "admin.webhooks.rotate": ADMIN,
    "admin.webhooks.redeliver": ADMIN,
    "admin.notifications.outbox": ADMIN,
    "admin.notifications.mail": ADMIN,
    "admin.notifications.mail_html": ADMIN,
    "admin.notifications.mine": EVERYONE,
    "admin.notifications.save_mine": EVERYONE,
    "admin.notifications.form_mails": FORMS,
    "admin.notifications.save_form_mails": FORMS,
    "admin.tokens.index": EVERYONE,
    "admin.tokens.create": EVERYONE,
    "admin.tokens.revoke": EVERYONE,
    "admin.prospects.convert": EVERYONE,
    "admin.prospects.allocate": EVERYONE,
    "admin.prospects.reopen": ADMIN,
    "admin.accounts.index": EVERYONE,
    "admin.accounts.delete": EVERYONE,
    "admin.offers.index": EVERYONE,
    "admin.offers.add_line": EVERYONE,
    "admin.offers.print": EVERYONE,
    # Contacts, activities, tasks and notes on accounts and offers: whoever may see the parent.
    **{
        f"admin.related.{kind}_{action}": EVERYONE
        for kind in ("account", "offer")
        for action in (
            "activity_add",
            "activity_outcome",
            "activity_edit",
            "activity_delete",
            "task_add",
            "task_complete",
            "task_reopen",
            "note_add",
            "note_edit",
            "note_delete",
            "timeline",
        )
    },
    **dict.fromkeys(
        [
            "admin.related.account_contact_add",
            "admin.related.account_contact_edit",
            "admin.related.account_contact_delete",
        ],
        EVERYONE,
    ),
    "admin.products.index": ADMIN,
    "admin.products.new": ADMIN,
    "admin.products.edit": ADMIN,
    "admin.products.active": ADMIN,
    "admin.products.delete": ADMIN,
    # Imports create prospects for any owner and match duplicates against all of them.
    **dict.fromkeys(
        [
            "admin.imports.index",
            "admin.imports.template",
            "admin.imports.upload",
            "admin.imports.setup",
            "admin.imports.start",
            "admin.imports.detail",
            "admin.imports.progress",
            "admin.imports.failed_rows",
            "admin.imports.revert_confirm",
            "admin.imports.revert",
        ],
        FORMS,
    ),
    # Everyone exports what they may see (sales: their own prospects).
    **dict.fromkeys(
        [
            "admin.exports.prospects",
            "admin.exports.prospects_csv",
            "admin.exports.prospects_xlsx",
            "admin.exports.detail",
            "admin.exports.status",
            "admin.exports.download",
        ],
        EVERYONE,
    ),
}


def _offline_app() -> Flask:
    """The app's URL map, for parametrizing; nothing connects at creation."""
    return create_app(
        Settings(
            database_url="sqlite://",
            redis_url="redis://127.0.0.1:1/0",
            secret_key="collect-only-secret-key-0123456789abcdef",
            environment="test",
        )
    )


def _rules() -> list[Rule]:
    app = _offline_app()
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    app.extensions["lc_engine"].dispose()
    return rules


RULES = _rules()
# The REST API (``api.``) answers 401 to a call without a token, and its
# OpenAPI document and docs page (``api_docs.``) are public:
# tests/api/test_access.py walks those routes.
PROTECTED = [
    rule
    for rule in RULES
    if not rule.endpoint.startswith(("public.", "api.", "api_docs."))
    and rule.endpoint != "static"
    and rule.endpoint not in PUBLIC_ENDPOINTS
]
ADMIN_RULES = [rule for rule in PROTECTED if rule.endpoint.startswith("admin.")]


def _methods(rule: Rule) -> list[str]:
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _url(rule: Rule, ids: dict[str, int] | None = None) -> str:
    """``ids`` may hold an id for one kind of parent's routes: "account:note_id"
    for ``admin.related.account_*``."""
    ids = ids or {}
    scope = rule.endpoint.removeprefix("admin.related.").split("_")[0]
    values = {
        arg: ("statuses" if arg == "kind" else ids.get(f"{scope}:{arg}", ids.get(arg, 1)))
        for arg in rule.arguments
    }
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def _cases(rules: list[Rule]) -> Iterator[object]:
    for rule in rules:
        for method in _methods(rule):
            yield pytest.param(rule, method, id=f"{method} {rule.rule}")


def _follow_to_login(client: FlaskClient, method: str, url: str) -> str:
    response = client.open(url, method=method)
    hops = 0
    while response.status_code in (301, 302, 303, 307, 308) and hops < 3:
        location = response.headers["Location"]
        if "/admin/login" in location:
            return location
        response = client.get(location)
        hops += 1
    pytest.fail(
        f"{method} {url} answered {response.status_code} to an anonymous visitor, not a login redirect"
    )


@pytest.mark.parametrize(("rule", "method"), list(_cases(PROTECTED)))
def test_anonymous_visitors_are_sent_to_the_login_page(web: FlaskClient, rule: Rule, method: str) -> None:
    location = _follow_to_login(web, method, _url(rule))
    assert "/admin/login" in location


def test_every_admin_endpoint_declares_who_may_use_it(app: Flask) -> None:
    undeclared = [
        rule.endpoint
        for rule in ADMIN_RULES
        if rule.endpoint not in PUBLIC_ENDPOINTS
        and rule.endpoint != "admin.account.logout"
        and not hasattr(app.view_functions[rule.endpoint], "allowed_roles")
    ]
    assert undeclared == [], "use roles_required / login_required on these views"


def test_the_table_matches_what_the_views_declare(app: Flask) -> None:
    for endpoint, roles in EXPECTED_ROLES.items():
        assert set(app.view_functions[endpoint].allowed_roles) == roles, endpoint


def _allowed(app_rule: Rule) -> set[Role]:
    if app_rule.endpoint in EXPECTED_ROLES:
        return EXPECTED_ROLES[app_rule.endpoint]
    view = _offline_view(app_rule.endpoint)
    return set(getattr(view, "allowed_roles", ALL_ROLES))


_OFFLINE = _offline_app()


def _offline_view(endpoint: str) -> object:
    return _OFFLINE.view_functions[endpoint]


_OFFLINE.extensions["lc_engine"].dispose()

MATRIX = [
    rule for rule in ADMIN_RULES if rule.endpoint not in ("admin.account.login", "admin.account.logout")
]


def _records_on(db: Session, editor: User, parent: Parent) -> dict[str, int]:
    """A contact, a planned meeting, an open task and a note on ``parent``."""
    contact = add_contact(db, editor, parent, {"name": "Ana"})
    meeting = {"kind": "meeting", "starts_at": "2030-01-02T10:00", "contact_ids": [contact.id]}
    records = {
        "contact_id": contact,
        "activity_id": log_activity(db, editor, parent, meeting, ZoneInfo("UTC")),
        "task_id": create_task(db, editor, parent, {"name": "Call back"}),
        "note_id": add_note(db, editor, parent, {"body": "Warm lead"}),
    }
    db.flush()
    return {key: record.id for key, record in records.items()}


def _prospect_with_records(db: Session, editor: User) -> dict[str, int]:
    """A prospect with a contact, a planned meeting, an open task and a note."""
    parent_id = create_prospect(db, editor, {"name": "Matrix prospect"}).id
    ids = {"prospect_id": parent_id, **_records_on(db, editor, Parent.prospect(parent_id))}
    db.commit()
    return ids


@pytest.fixture
def existing_ids(
    make_form: Callable[..., dict[str, Any]], make_user: UserFactory, db: Session, tmp_path: Path
) -> dict[str, int]:
    """Real rows for the URL's ids, so allowed roles reach the real page."""
    status_id = db.scalar(select(Status.id).order_by(Status.position).limit(1))
    assert status_id is not None
    owner = db.get(User, make_user(Role.ADMIN).id)
    records = _prospect_with_records(db, owner)
    account = create_account(db, owner, {"name": "Matrix SRL"})
    offer = create_offer(db, owner, account.id, {"name": "Matrix offer", "currency": "EUR"})
    line = add_line(db, owner, offer.id, {"name": "Matrix line", "unit_price": "10"})
    # The account's and the offer's own records, for their related-records routes.
    on_account = _records_on(db, owner, Parent(ParentType.ACCOUNT, account.id))
    on_offer = _records_on(db, owner, Parent(ParentType.OFFER, offer.id))
    product = create_product(db, {"code": "MX", "name": "Matrix", "price": "1", "currency": "EUR"})
    db.commit()
    form_id = make_form()["form_id"]
    return {
        "form_id": form_id,
        "user_id": make_user(Role.SALES).id,
        "value_id": status_id,
        "prospect_id": records["prospect_id"],
        "contact_id": records["contact_id"],
        "activity_id": records["activity_id"],
        # A task on that prospect (nobody owns it: admins and marketing reach it, sales get 404),
        # so both the Tasks pages and the card's task routes reach a real row.
        "task_id": records["task_id"],
        "note_id": records["note_id"],
        "template_id": a_template(db, status_id),
        **connect_ids(db, form_id),
        "account_id": account.id,
        "offer_id": offer.id,
        **{f"account:{key}": value for key, value in on_account.items()},
        **{f"offer:{key}": value for key, value in on_offer.items()},
        "line_id": line.id,
        "product_id": product.id,
        "status_id": status_id,
        "offer_status_id": db.scalar(select(OfferStatus.id).limit(1)),
        "slug": "funnel",  # type: ignore[dict-item]
        "import_id": draft_import(db, tmp_path, make_user(Role.ADMIN)),
        "export_id": finished_export(db, make_user(Role.SALES)),
    }


@pytest.mark.parametrize(("rule", "method"), list(_cases(MATRIX)))
def test_roles_matrix(
    as_role: Callable[[Role], FlaskClient], existing_ids: dict[str, int], rule: Rule, method: str
) -> None:
    allowed = _allowed(rule)
    url = _url(rule, existing_ids)
    for role in ALL_ROLES:
        status = as_role(role).open(url, method=method).status_code
        if role in allowed:
            assert status != 403, f"{role.value} should be allowed: {method} {url}"
            assert status < 500, f"{method} {url} as {role.value} failed with {status}"
        else:
            assert status == 403, f"{role.value} should get 403 for {method} {url}, got {status}"
