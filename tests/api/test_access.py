"""Every API route, every role, both scopes: no token is a 401; a read-only
token may GET and gets 403 (insufficient scope) for anything else; a
read-and-write token may do what its user's role may, and gets 403 for the
routes kept to other roles. Nothing answers 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import Rule

from crm_core.accounts.services import create_account
from crm_core.activities.services import log_activity
from crm_core.contacts.services import add_contact
from crm_core.db import transaction
from crm_core.forms.services import create_form
from crm_core.models import Role, User
from crm_core.notes.services import add_note
from crm_core.offers.services import create_offer
from crm_core.parents import Parent, ParentType
from crm_core.permissions import ALL_ROLES
from crm_core.products.services import create_product
from crm_core.prospects.services import create_prospect
from crm_core.settings import Settings
from crm_core.tasks.services import create_task
from tests.admin.conftest import UserFactory
from tests.api.conftest import READ, READ_WRITE, ApiClient, ClientFactory, assert_problem
from tests.conftest import form_config

ADMIN = {Role.ADMIN}
FORMS = {Role.ADMIN, Role.MARKETING}
EVERYONE = set(ALL_ROLES)

# Routes kept to some roles; every other API route is for every role (what a
# sales user sees within it is limited by the domain's visibility rules).
EXPECTED_ROLES: dict[str, set[Role]] = {
    "api.forms.list": FORMS,
    "api.forms.one": FORMS,
    "api.products.create": ADMIN,
    "api.products.update": ADMIN,
    "api.products.delete": ADMIN,
}
# Not a role rule but the note's own: only its author or an admin changes it,
# and the matrix's note was written by another user (an admin).
AUTHOR_OR_ADMIN = {"api.notes.update", "api.notes.delete"}


def _api_rules() -> list[Rule]:
    from tests.admin.test_access import _offline_app

    app = _offline_app()
    rules = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")),
        key=lambda r: (r.endpoint, r.rule),
    )
    app.extensions["lc_engine"].dispose()
    return rules


RULES = _api_rules()


def _cases() -> Iterator[object]:
    for rule in RULES:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield pytest.param(rule, method, id=f"{method} {rule.rule}")


def _url(rule: Rule, ids: dict[str, int]) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "parent_id":
            kind = rule.rule.split("/")[3]  # /api/v1/<prospects|accounts|offers>/<parent_id>/…
            values[arg] = ids[
                {"prospects": "prospect_id", "accounts": "account_id", "offers": "offer_id"}[kind]
            ]
        else:
            values[arg] = ids[arg]
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


@pytest.fixture
def records(make_user: UserFactory, session_factory: sessionmaker[Session]) -> dict[str, int]:
    return make_records(session_factory, make_user(Role.ADMIN))


def make_records(session_factory: sessionmaker[Session], author: User, tag: str = "") -> dict[str, int]:
    """One record of every kind, made by ``author`` through the domain services."""
    with transaction(session_factory) as session:
        user = session.get(User, author.id)
        assert user is not None
        prospect = create_prospect(session, user, {"name": "Ana Pop", "email": "ana@example.com"})
        on_prospect = Parent.prospect(prospect.id)
        contact = add_contact(session, user, on_prospect, {"name": "Ion"})
        activity = log_activity(
            session, user, on_prospect, {"kind": "call", "starts_at": "2026-05-01T10:00"}, Settings("").zone
        )
        task = create_task(
            session, user, on_prospect, {"name": "Call back", "due_date": date(2026, 5, 2).isoformat()}
        )
        note = add_note(session, user, on_prospect, {"body": "Likes blue."})
        account = create_account(session, user, {"name": "Pop SRL"})
        offer = create_offer(session, user, account.id, {"name": "Offer", "currency": "EUR"})
        product = create_product(
            session, {"code": f"P1{tag}", "name": "Widget", "price": "10", "currency": "EUR", "active": "1"}
        )
        form = create_form(session, form_config())
        session.flush()
        return {
            "prospect_id": prospect.id,
            "contact_id": contact.id,
            "activity_id": activity.id,
            "task_id": task.id,
            "note_id": note.id,
            "account_id": account.id,
            "offer_id": offer.id,
            "product_id": product.id,
            "form_id": form.id,
        }


def _allowed(endpoint: str) -> set[Role]:
    if endpoint in AUTHOR_OR_ADMIN:
        return ADMIN
    return EXPECTED_ROLES.get(endpoint, EVERYONE)


def test_the_table_matches_what_the_views_declare(app: Flask) -> None:
    for rule in RULES:
        declared = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        expected = EXPECTED_ROLES.get(rule.endpoint)
        if expected is None:
            assert declared is None, f"{rule.endpoint} declares roles; add it to EXPECTED_ROLES"
        else:
            assert set(declared or ()) == expected, rule.endpoint


def test_every_api_route_is_in_the_matrix() -> None:
    assert len(list(_cases())) >= 60  # the matrix walks the real URL map, not a copy


@pytest.mark.parametrize(("rule", "method"), list(_cases()))
def test_scopes_and_roles_matrix(
    app: Flask, api_as: ClientFactory, records: dict[str, int], rule: Rule, method: str
) -> None:
    url = _url(rule, records)
    anonymous = app.test_client().open(url, method=method, json={} if method != "GET" else None)
    assert_problem(anonymous, 401, "invalid-token")

    allowed = _allowed(rule.endpoint)
    for role in ALL_ROLES:
        reader = api_as(role, scopes=READ)
        answer = reader.open(method, url, json={} if method != "GET" else None)
        if method == "GET":
            _check_role(answer, role, allowed, method, url, rule.endpoint)
        else:
            body = assert_problem(answer, 403, "insufficient-scope")
            assert "write" in body["detail"]
    # Refused roles first: an allowed DELETE would leave nothing for them to be refused.
    for role in sorted(ALL_ROLES, key=lambda r: r in allowed):
        writer: ApiClient = api_as(role, scopes=READ_WRITE)
        answer = writer.open(method, url, json={} if method != "GET" else None)
        _check_role(answer, role, allowed, method, url, rule.endpoint)


def _check_role(answer: object, role: Role, allowed: set[Role], method: str, url: str, endpoint: str) -> None:
    status = answer.status_code  # type: ignore[attr-defined]
    assert status < 500, f"{method} {url} as {role.value} failed with {status}"
    if role in allowed:
        assert status not in (401, 403), f"{role.value} should be allowed: {method} {url} got {status}"
    elif endpoint in AUTHOR_OR_ADMIN and role == Role.SALES:
        assert_problem(answer, 404)  # type: ignore[arg-type]  # not even visible: another's prospect
    else:
        assert_problem(answer, 403, "forbidden")  # type: ignore[arg-type]


def test_sales_tokens_see_only_their_own_prospects(api_as: ClientFactory, admin_api: ApiClient) -> None:
    sales = api_as(Role.SALES)
    other = api_as(Role.SALES)
    mine = admin_api.post("/api/v1/prospects", json={"name": "Mine", "owner_id": sales.user.id}).get_json()
    theirs = admin_api.post(
        "/api/v1/prospects", json={"name": "Theirs", "owner_id": other.user.id}
    ).get_json()
    assert [p["id"] for p in sales.get("/api/v1/prospects").get_json()["items"]] == [mine["id"]]
    assert sales.get(f"/api/v1/prospects/{mine['id']}").status_code == 200
    for method, path, body in (
        ("GET", f"/api/v1/prospects/{theirs['id']}", None),
        ("PATCH", f"/api/v1/prospects/{theirs['id']}", {"name": "Renamed"}),
        ("POST", f"/api/v1/prospects/{theirs['id']}/status", {"status_id": mine["status_id"]}),
        ("DELETE", f"/api/v1/prospects/{theirs['id']}", None),
        ("GET", f"/api/v1/prospects/{theirs['id']}/notes", None),
        ("POST", f"/api/v1/prospects/{theirs['id']}/notes", {"body": "x"}),
    ):
        assert_problem(sales.open(method, path, json=body), 404, "not-found")
    assert admin_api.get(f"/api/v1/prospects/{theirs['id']}").get_json()["name"] == "Theirs"  # untouched
    # A sales user's new prospect with no owner is nobody's: they cannot see it afterwards.
    marketing = api_as(Role.MARKETING)
    assert {p["name"] for p in marketing.get("/api/v1/prospects").get_json()["items"]} == {"Mine", "Theirs"}


def test_parent_type_of_nested_routes_is_checked(admin_api: ApiClient, records: dict[str, int]) -> None:
    """``/accounts/{id}/notes`` with a prospect's id is that account's notes, not the prospect's."""
    note_on_account = admin_api.post(f"/api/v1/accounts/{records['account_id']}/notes", json={"body": "A"})
    assert note_on_account.status_code == 201
    assert note_on_account.get_json()["parent_type"] == ParentType.ACCOUNT.value
    listed = admin_api.get(f"/api/v1/prospects/{records['prospect_id']}/notes").get_json()["items"]
    assert [n["body"] for n in listed] == ["Likes blue."]
