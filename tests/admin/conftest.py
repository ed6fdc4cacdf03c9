"""Admin fixtures: users of each role (one argon2 hash per test session, so
the permission matrix stays fast), clients signed in as them, and an app with
CSRF off for the tests that are not about CSRF."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.models import Role, User
from crm_core.users import passwords
from crm_core.users.sessions import start_session

PASSWORD = "correct horse battery staple"

# The production hasher, kept for the test that checks its parameters.
PRODUCTION_HASHER = passwords._hasher
# Same algorithm (argon2id), far less work: a login in a test costs
# milliseconds instead of most of a second.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "_hasher", FAST_HASHER)
    monkeypatch.setattr(passwords, "_dummy_hash", _fast_dummy)


@cache
def _fast_dummy() -> str:
    return FAST_HASHER.hash("leadcapture-timing-equaliser")


@cache
def password_hash() -> str:
    return FAST_HASHER.hash(PASSWORD)


UserFactory = Callable[..., User]


@pytest.fixture
def make_user(session_factory: sessionmaker[Session]) -> UserFactory:
    counter = iter(range(1, 10_000))

    def factory(
        role: Role | str = Role.ADMIN, email: str | None = None, active: bool = True, **extra: Any
    ) -> User:
        role = Role(role)
        with transaction(session_factory) as session:
            user = User(
                email=email or f"{role.value}{next(counter)}@example.com",
                name=extra.pop("name", f"{role.value.capitalize()} User"),
                role=role,
                password_hash=password_hash(),
                active=active,
                **extra,
            )
            session.add(user)
            session.flush()
            session.expunge(user)
        return user

    return factory


@pytest.fixture
def web_app(app: Flask) -> Flask:
    """The app with CSRF checks off (the CSRF tests use ``app`` as it is)."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def web(web_app: Flask) -> FlaskClient:
    return web_app.test_client()


def sign_in(client: FlaskClient, session_factory: sessionmaker[Session], user: User) -> FlaskClient:
    """Sign in without the login form (no argon2 verify): a real server-side session."""
    with transaction(session_factory) as session:
        token = start_session(session, session.get(User, user.id))
    with client.session_transaction() as cookie:
        cookie["sid"] = token
    return client


@pytest.fixture
def as_role(
    web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session]
) -> Callable[[Role | str], FlaskClient]:
    """``as_role("marketing")``: a fresh client signed in as a new user of that role."""

    def client_for(role: Role | str) -> FlaskClient:
        return sign_in(web_app.test_client(), session_factory, make_user(role))

    return client_for


@pytest.fixture
def admin(as_role: Callable[[Role | str], FlaskClient]) -> FlaskClient:
    return as_role(Role.ADMIN)


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match[1]
