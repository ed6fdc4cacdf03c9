"""API fixtures: users of each role (the admin's factory), personal tokens
made by the domain service, and a client that sends a token on every call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from crm_core.api_tokens.services import create_token
from crm_core.db import transaction
from crm_core.models import Role, User
from tests.admin.conftest import UserFactory, fast_password_hashing, make_user, web_app  # noqa: F401 (fixtures)

READ = "read"
READ_WRITE = "read write"


@dataclass
class ApiClient:
    """The Flask test client with ``Authorization: Bearer <token>`` on every call."""

    client: FlaskClient
    token: str | None
    user: User

    def open(
        self, method: str, url: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> TestResponse:
        sent = dict(headers or {})
        if self.token is not None:
            sent.setdefault("Authorization", f"Bearer {self.token}")
        kwargs: dict[str, Any] = {"method": method, "headers": sent}
        if json is not None:
            kwargs["json"] = json
        return self.client.open(url, **kwargs)

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.open("GET", url, **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.open("POST", url, json=json if json is not None else {}, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.open("PATCH", url, json=json if json is not None else {}, **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any) -> TestResponse:
        return self.open("PUT", url, json=json if json is not None else {}, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.open("DELETE", url, **kwargs)


TokenFactory = Callable[..., str]


@pytest.fixture
def make_token(session_factory: sessionmaker[Session]) -> TokenFactory:
    """``make_token(user, scopes="read write", days=90)``: the secret of a new token."""

    def factory(user: User, scopes: str = READ_WRITE, days: int = 90, name: str = "test") -> str:
        with transaction(session_factory) as session:
            owner = session.get(User, user.id)
            assert owner is not None
            issued = create_token(session, owner, {"name": name, "scopes": scopes, "expires_in_days": days})
        return issued.secret

    return factory


ClientFactory = Callable[..., ApiClient]


@pytest.fixture
def api_as(app: Flask, make_user: UserFactory, make_token: TokenFactory) -> ClientFactory:  # noqa: F811
    """``api_as("sales", scopes="read")``: a client with a fresh token of a new user of that role
    (or of ``user=`` an existing one)."""

    def factory(
        role: Role | str = Role.ADMIN, scopes: str = READ_WRITE, user: User | None = None
    ) -> ApiClient:
        owner = user or make_user(role)
        return ApiClient(app.test_client(), make_token(owner, scopes), owner)

    return factory


@pytest.fixture
def admin_api(api_as: ClientFactory) -> ApiClient:
    return api_as(Role.ADMIN)


def assert_problem(response: TestResponse, status: int, type_suffix: str | None = None) -> dict[str, Any]:
    """The answer is problem details with this status (and type), every member present."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json", response.mimetype
    body = response.get_json(force=True)
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status
    assert isinstance(body["detail"], str) and body["detail"]
    if type_suffix is not None:
        assert body["type"] == f"urn:leadcapture:problem:{type_suffix}", body
    return body
