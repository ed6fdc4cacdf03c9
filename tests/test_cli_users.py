"""``leadcapture users`` goes through the same services as the admin's Users
page: the password policy applies, and a reset signs the user out everywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from crm_core.db import transaction
from crm_core.users.models import Role
from crm_core.users.services import create_user
from crm_core.users.sessions import resume_session, start_session

BIN = Path(sys.executable).parent


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [str(BIN / "leadcapture"), "users", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_reset_password_applies_the_policy_and_ends_every_session(
    database_url: str, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        user = create_user(session, "ana@example.com", "a long enough secret", Role.SALES)
        token = start_session(session, user)

    short = run(database_url, "reset-password", "--email", "ana@example.com", "--password", "short")
    assert short.returncode == 2 and "Use at least 10 characters." in short.stderr
    with session_factory() as session:
        assert resume_session(session, token).user is not None, "a refused reset changes nothing"

    unknown = run(database_url, "reset-password", "--email", "nobody@example.com")
    assert unknown.returncode == 2 and "No user with this email." in unknown.stderr

    done = run(database_url, "reset-password", "--email", "ANA@example.com")
    assert done.returncode == 0, done.stderr
    new_password = done.stdout.rsplit("password: ", 1)[1].strip()
    with session_factory() as session:
        assert resume_session(session, token).user is None, "the old session ended"
    from crm_core.users.services import authenticate

    with transaction(session_factory) as session:
        assert authenticate(session, "ana@example.com", new_password) is not None
