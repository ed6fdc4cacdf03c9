"""Signing in: argon2 hashes, throttling, server-side sessions that end on
logout, password change and deactivation, timeouts, and cookie flags."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from capture.app import create_app
from crm_core.db import transaction, utcnow
from crm_core.models import Role, User
from crm_core.users.models import UserSession
from crm_core.users.services import create_user
from tests.admin.conftest import PASSWORD, PRODUCTION_HASHER, UserFactory, sign_in


def login(client: FlaskClient, email: str, password: str = PASSWORD, **kwargs: str):  # type: ignore[no-untyped-def]
    return client.post("/admin/login", data={"email": email, "password": password}, **kwargs)


def test_passwords_are_stored_as_argon2id(db: Session) -> None:
    user = create_user(db, "ana@example.com", "a long enough password", Role.SALES)
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    # Outside the tests, the hasher does the full work (RFC 9106 parameters).
    production = PRODUCTION_HASHER.hash("x")
    assert production.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_login_and_logout(web: FlaskClient, make_user: UserFactory) -> None:
    user = make_user(Role.MARKETING)
    response = login(web, user.email, query_string={"next": "/admin/forms"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/forms"
    assert web.get("/admin/forms").status_code == 200
    response = web.post("/admin/logout")
    assert response.headers["Location"].endswith("/admin/login")
    assert web.get("/admin/forms").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_login_never_redirects_off_site(web: FlaskClient, make_user: UserFactory, target: str) -> None:
    user = make_user()
    response = login(web, user.email, query_string={"next": target})
    assert response.headers["Location"] == "/admin/home"


def test_wrong_password_says_so_plainly(web: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    response = login(web, user.email, "not the password")
    assert response.status_code == 401
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_account_is_throttled_after_repeated_failures(web: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    for _ in range(5):
        assert login(web, user.email, "wrong password!").status_code == 401
    # Now even the right password is refused until the window ends.
    response = login(web, user.email)
    assert response.status_code == 429
    assert "Too many attempts, try again in 15 minutes." in response.get_data(as_text=True)
    # Another account from the same address is not locked by it.
    other = make_user()
    assert login(web, other.email).status_code == 302


def test_a_success_resets_the_account_counter(web: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    for _ in range(4):
        login(web, user.email, "wrong password!")
    assert login(web, user.email).status_code == 302
    web.post("/admin/logout")
    for _ in range(4):
        login(web, user.email, "wrong password!")
    assert login(web, user.email).status_code == 302


def test_an_address_is_throttled_across_accounts(
    web: FlaskClient, make_user: UserFactory, redis: Redis
) -> None:
    for n in range(20):
        login(web, f"nobody{n}@example.com", "wrong password!")
    user = make_user()
    response = login(web, user.email)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # The lock expires with the window.
    for key in redis.scan_iter("lc:login:fail:ip:*"):
        redis.expire(key, 61)
    response = login(web, user.email)
    assert response.status_code == 429
    assert "try again in 2 minutes" in response.get_data(as_text=True)


def test_the_session_rotates_at_login(web: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    web.get("/admin/login")
    with web.session_transaction() as before:
        before["planted"] = "by an attacker"
        csrf_before = before.get("csrf_token")
    login(web, user.email)
    with web.session_transaction() as after:
        assert "planted" not in after
        assert after.get("csrf_token") in (None,) or after.get("csrf_token") != csrf_before
        assert after["sid"]


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> int:
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/admin/forms").status_code


def test_a_cookie_captured_before_logout_no_longer_works(web_app: Flask, make_user: UserFactory) -> None:
    client = web_app.test_client()
    user = make_user(Role.MARKETING)
    login(client, user.email)
    captured = _cookie(client)
    assert _replay(web_app, captured) == 200
    client.post("/admin/logout")
    assert _replay(web_app, captured) == 302


def test_a_password_change_ends_every_other_session(
    web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session]
) -> None:
    user = make_user(Role.SALES)
    laptop, phone = web_app.test_client(), web_app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    captured = _cookie(laptop)
    response = laptop.post(
        "/admin/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new secret",
            "repeat_password": "a brand new secret",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/admin/").status_code == 200  # the changer stays signed in, on a new session
    assert _cookie(laptop) != captured
    assert _replay(web_app, captured) == 302
    assert phone.get("/admin/").status_code == 302
    assert login(web_app.test_client(), user.email, "a brand new secret").status_code == 302
    assert login(web_app.test_client(), user.email, PASSWORD).status_code == 401


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [
        (
            "wrong current pw",
            "a brand new secret",
            "a brand new secret",
            "This is not your current password.",
        ),
        (PASSWORD, "short", "short", "Use at least 10 characters."),
        (PASSWORD, "a brand new secret", "a different secret", "The two new passwords are not the same."),
    ],
)
def test_password_change_errors_are_plain(
    web: FlaskClient, make_user: UserFactory, current: str, new: str, repeat: str, message: str
) -> None:
    user = make_user()
    login(web, user.email)
    response = web.post(
        "/admin/account/password",
        data={"current_password": current, "new_password": new, "repeat_password": repeat},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert web.get("/admin/").status_code == 200  # nothing changed, still signed in


def test_a_deactivated_user_is_locked_out_at_once(
    web_app: Flask, make_user: UserFactory, session_factory: sessionmaker[Session]
) -> None:
    admin = sign_in(web_app.test_client(), session_factory, make_user(Role.ADMIN))
    user = make_user(Role.MARKETING)
    victim = web_app.test_client()
    login(victim, user.email)
    assert victim.get("/admin/forms").status_code == 200
    assert admin.post(f"/admin/users/{user.id}/active", data={"active": "0"}).status_code == 302
    assert victim.get("/admin/forms").status_code == 302
    assert login(web_app.test_client(), user.email).status_code == 401
    admin.post(f"/admin/users/{user.id}/active", data={"active": "1"})
    assert login(web_app.test_client(), user.email).status_code == 302


@pytest.mark.parametrize(
    ("created_ago", "seen_ago", "signed_in"),
    [
        (timedelta(hours=1), timedelta(minutes=5), True),
        (timedelta(hours=3), timedelta(hours=2, minutes=1), False),  # idle
        (timedelta(hours=12, minutes=1), timedelta(minutes=1), False),  # absolute
    ],
)
def test_sessions_time_out(
    web: FlaskClient,
    make_user: UserFactory,
    session_factory: sessionmaker[Session],
    created_ago: timedelta,
    seen_ago: timedelta,
    signed_in: bool,
) -> None:
    user = make_user()
    sign_in(web, session_factory, user)
    now = utcnow()
    with transaction(session_factory) as session:
        session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id)
            .values(created_at=now - created_ago, last_seen_at=now - seen_ago)
        )
    response = web.get("/admin/")
    assert (response.status_code == 200) is signed_in
    if not signed_in:
        assert "Your session expired" in web.get(response.headers["Location"]).get_data(as_text=True)
        with session_factory() as session:
            assert session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all() == []


def test_session_cookie_flags(web: FlaskClient, make_user: UserFactory) -> None:
    user = make_user()
    response = login(web, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests


def test_session_cookie_is_secure_behind_https(settings, make_user: UserFactory) -> None:  # type: ignore[no-untyped-def]
    app = create_app(replace(settings, public_base_url="https://leads.example.com"))
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    try:
        user = make_user()
        response = login(app.test_client(), user.email, base_url="https://leads.example.com")
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        app.extensions["lc_redis"].close()
        app.extensions["lc_engine"].dispose()


def test_admin_pages_send_strict_security_headers(admin: FlaskClient) -> None:
    for path in ("/admin/login", "/admin/", "/admin/forms", "/admin/users"):
        headers = admin.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self';" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Cache-Control"] == "no-store"


def test_a_login_page_visit_creates_no_session_row(
    web: FlaskClient, session_factory: sessionmaker[Session]
) -> None:
    web.get("/admin/login")
    with session_factory() as session:
        assert session.scalars(select(UserSession)).all() == []
        assert session.scalars(select(User)).all() == []
