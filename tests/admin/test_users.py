"""The users page: create with an initial password shown once, change role,
deactivate / reactivate, and never lose the last active admin."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.models import Role, User
from tests.admin.conftest import UserFactory, sign_in
from tests.admin.test_form_builder import words


def _user(session_factory: sessionmaker[Session], email: str) -> User:
    with session_factory() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


def _login(client: FlaskClient, email: str, password: str) -> int:
    return client.post("/admin/login", data={"email": email, "password": password}).status_code


def test_create_a_user_and_show_the_password_once(
    admin: FlaskClient, web_app: Flask, session_factory: sessionmaker[Session]
) -> None:
    response = admin.post("/admin/users", data={"email": "Ana@Example.com", "name": "Ana", "role": "sales"})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    password = re.search(r'id="issued-password" class="mono" value="([^"]+)"', page)[1]  # type: ignore[index]
    assert len(password) >= 10
    user = _user(session_factory, "ana@example.com")
    assert user.role == Role.SALES and user.password_hash.startswith("$argon2id$")
    assert password not in admin.get("/admin/users").get_data(as_text=True)  # once
    assert _login(web_app.test_client(), "ana@example.com", password) == 302


def test_an_admin_may_choose_the_initial_password(admin: FlaskClient, web_app: Flask) -> None:
    admin.post(
        "/admin/users", data={"email": "bo@example.com", "role": "marketing", "password": "chosen by admin"}
    )
    assert _login(web_app.test_client(), "bo@example.com", "chosen by admin") == 302


def test_create_errors_are_plain(admin: FlaskClient, make_user: UserFactory) -> None:
    existing = make_user(Role.SALES)
    response = admin.post("/admin/users", data={"email": existing.email, "role": "boss", "password": "short"})
    assert response.status_code == 400
    text = words(response)
    assert "A user with this email already exists." in text
    assert "Choose one of: admin, marketing, sales." in text
    assert "Use at least 10 characters." in text


def test_change_role(admin: FlaskClient, make_user: UserFactory, web_app: Flask, session_factory) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.SALES)
    client = sign_in(web_app.test_client(), session_factory, user)
    assert client.get("/admin/forms").status_code == 403
    response = admin.post(f"/admin/users/{user.id}/role", data={"role": "marketing"}, follow_redirects=True)
    assert "is now marketing." in words(response)
    # Takes effect on the user's next request, without signing in again.
    assert client.get("/admin/forms").status_code == 200


def test_the_last_active_admin_cannot_demote_or_deactivate_themself(
    web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session]
) -> None:
    me = make_user(Role.ADMIN, name="Only Admin")
    make_user(Role.ADMIN, active=False)  # an inactive admin does not count
    client = sign_in(web_app.test_client(), session_factory, me)
    response = client.post(f"/admin/users/{me.id}/role", data={"role": "sales"}, follow_redirects=True)
    assert "Only Admin is the last active admin; make someone else an admin first." in words(response)
    response = client.post(f"/admin/users/{me.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "Only Admin is the last active admin" in words(response)
    assert _user(session_factory, me.email).role == Role.ADMIN
    assert _user(session_factory, me.email).active
    # With a second active admin, stepping down is allowed.
    other = make_user(Role.ADMIN)
    response = client.post(f"/admin/users/{me.id}/role", data={"role": "marketing"})
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 403
    other_client = sign_in(web_app.test_client(), session_factory, other)
    assert other_client.post(f"/admin/users/{other.id}/active", data={"active": "0"}).status_code == 302
    assert _user(session_factory, other.email).active  # refused: now the last admin


def test_a_password_reset_is_shown_once_and_ends_sessions(
    admin: FlaskClient, web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session]
) -> None:
    user = make_user(Role.SALES)
    client = sign_in(web_app.test_client(), session_factory, user)
    response = admin.post(f"/admin/users/{user.id}/password")
    password = re.search(
        r'id="issued-password" class="mono" value="([^"]+)"', response.get_data(as_text=True)
    )[1]  # type: ignore[index]
    assert client.get("/admin/").status_code == 302
    assert _login(web_app.test_client(), user.email, password) == 302


def test_users_page_lists_everyone(admin: FlaskClient, make_user: UserFactory) -> None:
    make_user(Role.SALES, email="jonas@example.com", name="Jonas")
    make_user(Role.MARKETING, email="gone@example.com", active=False)
    text = words(admin.get("/admin/users"))
    assert "Jonas" in text and "jonas@example.com" in text
    assert "deactivated" in text
