"""User accounts: creation and the sign-in check."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import ValidationFailed
from crm_core.models import Role, User
from crm_core.passwords import hash_password, needs_rehash, verify_password

MIN_PASSWORD_LENGTH = 10


def create_user(session: Session, email: str, password: str, role: Role | str, name: str = "") -> User:
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if "@" not in email or len(email) > 254:
        errors["email"] = ["Enter a valid email address."]
    elif session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = ["A user with this email already exists."]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = [f"Choose one of: {', '.join(r.value for r in Role)}."]
    if errors:
        raise ValidationFailed(errors)
    user = User(email=email, name=name.strip(), role=Role(role), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0
