"""Prospects-workspace fixtures: staff of each role, signed-in clients, a
prospect factory and the CSRF token the admin forms need."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.models import Priority, Prospect, Source, Status, User
from crm_core.text.search import search_text
from crm_core.users import passwords
from crm_core.users import services as users_service
from crm_core.users.services import create_user

PASSWORD = "correct horse battery staple"
STAFF = {
    "admin": ("admin@example.com", "admin", "Ada Admin"),
    "marketing": ("mk@example.com", "marketing", "Mara Marketing"),
    "sales": ("sam@example.com", "sales", "Sam Sales"),
    "sales2": ("sue@example.com", "sales", "Sue Sales"),
}
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@functools.cache
def _hash_once(password: str) -> str:
    return passwords.hash_password(password)


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 is slow on purpose; hash the shared test password once per run."""
    monkeypatch.setattr(users_service, "hash_password", _hash_once)


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> dict[str, User]:
    with transaction(session_factory) as session:
        users = {
            key: create_user(session, email, PASSWORD, role, name=name)
            for key, (email, role, name) in STAFF.items()
        }
    return users


def login(client: Any, user: User) -> Any:
    page = client.get("/admin/login").get_data(as_text=True)
    token = _CSRF.search(page)
    assert token, "login page has a CSRF token"
    response = client.post(
        "/admin/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def csrf_token(client: Any) -> str:
    match = _CSRF.search(client.get("/admin/").get_data(as_text=True))
    assert match
    return match.group(1)


@pytest.fixture
def as_user(app: Any, staff: dict[str, User]) -> Callable[[str], Any]:
    """``as_user("sales")`` → a test client signed in as that staff member."""

    def make(key: str) -> Any:
        return login(app.test_client(), staff[key])

    return make


@pytest.fixture
def list_ids(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        ids: dict[str, int] = {}
        for model in (Status, Source, Priority):
            for row in session.scalars(select(model)):
                ids[row.name] = row.id
    return ids


ProspectFactory = Callable[..., int]


@pytest.fixture
def add_prospect(session_factory: sessionmaker[Session], list_ids: dict[str, int]) -> ProspectFactory:
    """Insert a prospect directly (as the worker would); returns its id."""
    counter = {"n": 0}

    def make(**values: Any) -> int:
        counter["n"] += 1
        row: dict[str, Any] = {
            "name": f"Prospect {counter['n']}",
            "status_id": list_ids["New"],
            "priority_id": list_ids["Medium"],
            "source_id": list_ids["Web form"],
            "created_at": T0 + timedelta(minutes=counter["n"]),
        }
        row.update(values)
        row.setdefault("updated_at", row["created_at"])
        with transaction(session_factory) as session:
            prospect = Prospect(**row, search_text=search_text(row))
            session.add(prospect)
            session.flush()
            return prospect.id

    return make
