"""Every state-changing admin request needs the CSRF token of the signed-in
session: without it the answer is 400 and nothing changes."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.routing import Rule

from crm_core.models import Role, User
from tests.admin.conftest import PASSWORD, UserFactory, csrf_token_from, sign_in
from tests.admin.test_access import RULES, _url

STATE_CHANGING = [
    pytest.param(rule, method, id=f"{method} {rule.rule}")
    for rule in RULES
    if rule.endpoint.startswith("admin.")
    for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"})
]


def test_csrf_is_on_in_the_app(app: Flask) -> None:
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


@pytest.mark.parametrize(("rule", "method"), STATE_CHANGING)
def test_state_changing_routes_refuse_requests_without_a_token(
    app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session], rule: Rule, method: str
) -> None:
    client = sign_in(app.test_client(), session_factory, make_user(Role.ADMIN))
    response = client.open(_url(rule), method=method, data={"name": "x", "email": "new@example.com"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_a_token_from_another_session_is_refused(
    app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session]
) -> None:
    attacker = sign_in(app.test_client(), session_factory, make_user(Role.ADMIN))
    stolen = csrf_token_from(attacker.get("/admin/users").get_data(as_text=True))
    victim = sign_in(app.test_client(), session_factory, make_user(Role.ADMIN))
    victim.get("/admin/users")
    response = victim.post(
        "/admin/users", data={"csrf_token": stolen, "email": "mallory@example.com", "role": "admin"}
    )
    assert response.status_code == 400
    with session_factory() as session:
        assert session.scalar(select(User).where(User.email == "mallory@example.com")) is None


def test_with_the_pages_token_the_request_goes_through(app: Flask, make_user: UserFactory) -> None:
    user = make_user(Role.ADMIN)
    client = app.test_client()
    token = csrf_token_from(client.get("/admin/login").get_data(as_text=True))
    response = client.post(
        "/admin/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    token = csrf_token_from(client.get("/admin/users").get_data(as_text=True))
    response = client.post(
        "/admin/users", data={"csrf_token": token, "email": "new@example.com", "role": "sales"}
    )
    assert response.status_code == 201
