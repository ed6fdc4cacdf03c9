"""Personal API tokens from creation to revocation: shown once, only a digest
stored, a checksum that tells a real token from a typo without the database,
expiry, revocation, the user's deactivation and role, and last-used time
written at most once a minute."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from crm_core.api_tokens import secret
from crm_core.api_tokens.models import ApiToken
from crm_core.api_tokens.services import TokenRefused, authenticate_token, revoke_token, touch
from crm_core.db import transaction, utcnow
from crm_core.models import Prospect, Role, User
from crm_core.users.services import set_active
from tests.admin.conftest import UserFactory, sign_in
from tests.api.conftest import ApiClient, ClientFactory, TokenFactory, assert_problem

# --- the token's shape ------------------------------------------------------------------


def test_a_token_has_the_prefix_length_and_a_valid_checksum() -> None:
    token = secret.new_secret()
    assert re.fullmatch(r"lcp_[0-9A-Za-z]{36}", token)
    assert secret.is_well_formed(token)
    assert secret.new_secret() != token


def test_the_checksum_catches_any_single_changed_character() -> None:
    token = secret.new_secret()
    for position in range(len(secret.PREFIX), len(token)):
        for replacement in "0aZ":
            changed = token[:position] + replacement + token[position + 1 :]
            if changed != token:
                assert not secret.is_well_formed(changed), (position, replacement)
    assert not secret.is_well_formed(token[:-1])
    assert not secret.is_well_formed("ghp_" + token[4:])
    assert not secret.is_well_formed(token.replace("lcp_", "lcp-"))


def test_the_checksum_is_crc32_in_base62_as_documented() -> None:
    import zlib

    random_part = "A" * 30
    value = zlib.crc32(random_part.encode())
    digits = ""
    while value:
        value, rest = divmod(value, 62)
        digits = secret.BASE62[rest] + digits
    assert secret.checksum(random_part) == digits.rjust(6, "0")


# --- created in the admin, shown once, stored as a digest ---------------------------------


def test_a_user_creates_a_token_in_the_admin_sees_it_once_and_only_its_digest_is_stored(
    web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session], db: Session
) -> None:
    user = make_user(Role.SALES)
    browser = sign_in(web_app.test_client(), session_factory, user)
    page = browser.get("/admin/account/tokens")
    assert page.status_code == 200
    assert "API tokens" in page.get_data(as_text=True)

    created = browser.post(
        "/admin/account/tokens",
        data={"name": "Website sync", "scopes": "read write", "expires_in_days": "30"},
    )
    assert created.status_code == 201
    html = created.get_data(as_text=True)
    shown = re.search(r'id="issued-token" class="mono" value="(lcp_[0-9A-Za-z]{36})"', html)
    assert shown, html
    token = shown[1]
    assert secret.is_well_formed(token)

    again = browser.get("/admin/account/tokens").get_data(as_text=True)
    assert token not in again  # shown once
    assert "Website sync" in again and token[:10] + "…" in again  # the hint identifies it

    row = db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row is not None
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.scope_set == {"read", "write"}
    assert timedelta(days=29, hours=23) < row.expires_at - row.created_at <= timedelta(days=30)
    # Nowhere in the table is the token itself.
    dumped = " ".join(str(v) for v in db.execute(text("SELECT * FROM api_tokens")).one())
    assert token not in dumped and token[4:] not in dumped


def test_the_admin_form_refuses_a_missing_name_and_an_unknown_lifetime(
    web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session], db: Session
) -> None:
    browser = sign_in(web_app.test_client(), session_factory, make_user(Role.MARKETING))
    answer = browser.post(
        "/admin/account/tokens", data={"name": " ", "scopes": "all", "expires_in_days": "9999"}
    )
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "Fill this in." in html
    assert "Choose read only, or read and write." in html
    assert "Choose one of the offered lifetimes." in html
    assert db.scalar(select(ApiToken.id)) is None


def test_revoking_in_the_admin_refuses_the_token_at_once(
    web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session], make_token: TokenFactory
) -> None:
    user = make_user(Role.ADMIN)
    token = make_token(user)
    api = ApiClient(web_app.test_client(), token, user)
    assert api.get("/api/v1/users/me").status_code == 200
    browser = sign_in(web_app.test_client(), session_factory, user)
    with session_factory() as session:
        token_id = session.scalar(select(ApiToken.id))
    revoked = browser.post(f"/admin/account/tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    body = assert_problem(api.get("/api/v1/users/me"), 401, "invalid-token")
    assert body["detail"] == "This token was revoked."


def test_nobody_revokes_someone_elses_token(
    web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session], make_token: TokenFactory
) -> None:
    owner = make_user(Role.SALES)
    make_token(owner)
    other_admin = sign_in(web_app.test_client(), session_factory, make_user(Role.ADMIN))
    with session_factory() as session:
        token_id = session.scalar(select(ApiToken.id))
    assert other_admin.post(f"/admin/account/tokens/{token_id}/revoke").status_code == 404
    with session_factory() as session:
        assert session.scalar(select(ApiToken.revoked_at)) is None


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        (None, "Send a personal API token"),
        ("Basic dXNlcjpwYXNz", "Send a personal API token"),
        ("Bearer ", "Send a personal API token"),
        ("Bearer lcp_notarealtoken", "This is not a Leadcapture API token"),
    ],
)
def test_requests_without_a_usable_token_get_401(app: Flask, header: str | None, detail: str) -> None:
    headers = {"Authorization": header} if header is not None else {}
    answer = app.test_client().get("/api/v1/prospects", headers=headers)
    body = assert_problem(answer, 401, "invalid-token")
    assert body["detail"].startswith(detail)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_well_formed_token_that_does_not_exist_gets_401(app: Flask) -> None:
    answer = app.test_client().get(
        "/api/v1/prospects", headers={"Authorization": f"Bearer {secret.new_secret()}"}
    )
    assert assert_problem(answer, 401)["detail"].startswith("This token does not exist")


def test_an_expired_token_gets_401(api_as: ClientFactory, session_factory: sessionmaker[Session]) -> None:
    api = api_as(Role.ADMIN)
    assert api.get("/api/v1/users/me").status_code == 200
    with transaction(session_factory) as session:
        row = session.scalar(select(ApiToken))
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert assert_problem(api.get("/api/v1/users/me"), 401)["detail"].startswith("This token has expired")


def test_a_deactivated_users_tokens_stop_working_and_work_again_when_reactivated(
    api_as: ClientFactory, make_user: UserFactory, session_factory: sessionmaker[Session]
) -> None:
    make_user(Role.ADMIN)  # someone else stays admin
    api = api_as(Role.SALES)
    assert api.get("/api/v1/prospects").status_code == 200
    with transaction(session_factory) as session:
        set_active(session, api.user.id, False)
    assert (
        assert_problem(api.get("/api/v1/prospects"), 401)["detail"]
        == "The user of this token is deactivated."
    )
    with transaction(session_factory) as session:
        set_active(session, api.user.id, True)
    assert api.get("/api/v1/prospects").status_code == 200


def test_a_token_acts_with_its_users_current_role(
    api_as: ClientFactory,
    make_user: UserFactory,
    session_factory: sessionmaker[Session],
    admin_api: ApiClient,
) -> None:
    other = make_user(Role.SALES)
    created = admin_api.post("/api/v1/prospects", json={"name": "Ana", "owner_id": other.id})
    assert created.status_code == 201
    sales = api_as(Role.SALES)
    assert sales.get("/api/v1/prospects").get_json()["items"] == []
    with transaction(session_factory) as session:
        user = session.get(User, sales.user.id)
        assert user is not None
        user.role = Role.MARKETING
    assert [p["name"] for p in sales.get("/api/v1/prospects").get_json()["items"]] == ["Ana"]


def test_a_deleted_users_tokens_go_with_them(
    api_as: ClientFactory, session_factory: sessionmaker[Session]
) -> None:
    api = api_as(Role.SALES)
    with transaction(session_factory) as session:
        session.execute(text("DELETE FROM users WHERE id = :id"), {"id": api.user.id})
    with session_factory() as session:
        assert session.scalar(select(ApiToken.id)) is None
    assert assert_problem(api.get("/api/v1/prospects"), 401)["detail"].startswith("This token does not exist")


# --- last used ------------------------------------------------------------------------------


def test_last_used_is_written_at_most_once_a_minute(
    make_user: UserFactory, make_token: TokenFactory, session_factory: sessionmaker[Session]
) -> None:
    token = make_token(make_user(Role.ADMIN))
    start = utcnow()
    writes = []
    for offset in (0, 10, 59, 60, 61, 90, 121):
        with transaction(session_factory) as session:
            row = authenticate_token(session, token, start + timedelta(seconds=offset))
            writes.append((offset, touch(session, row, start + timedelta(seconds=offset))))
    assert [offset for offset, wrote in writes if wrote] == [0, 60, 121]
    with session_factory() as session:
        assert session.scalar(select(ApiToken.last_used_at)) == start + timedelta(seconds=121)


def test_an_api_call_records_last_used(api_as: ClientFactory, session_factory: sessionmaker[Session]) -> None:
    api = api_as(Role.MARKETING)
    with session_factory() as session:
        assert session.scalar(select(ApiToken.last_used_at)) is None
    before = utcnow()
    assert api.get("/api/v1/users/me").status_code == 200
    with session_factory() as session:
        used = session.scalar(select(ApiToken.last_used_at))
    assert used is not None and used >= before - timedelta(seconds=1)


def test_service_refusals_in_plain_words(
    make_user: UserFactory, make_token: TokenFactory, session_factory: sessionmaker[Session]
) -> None:
    user = make_user(Role.ADMIN)
    token = make_token(user, days=7)
    with transaction(session_factory) as session:
        with pytest.raises(TokenRefused, match="expired"):
            authenticate_token(session, token, utcnow() + timedelta(days=7, seconds=1))
        owner = session.get(User, user.id)
        assert owner is not None
        row_id = authenticate_token(session, token).id
        first = revoke_token(session, owner, row_id).revoked_at
        assert revoke_token(session, owner, row_id).revoked_at == first  # revoking twice keeps the first time
        with pytest.raises(TokenRefused, match="revoked"):
            authenticate_token(session, token)
    with session_factory() as session:
        assert session.scalar(select(Prospect.id)) is None
