"""User accounts: creation, the sign-in check, and what admins change
(role, active, password), never leaving the system without an active admin."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import DomainError, NotFound, ValidationFailed
from crm_core.models import Role, User
from crm_core.users.passwords import hash_password, needs_rehash, verify_password
from crm_core.users.sessions import end_all_sessions

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024


def _password_errors(password: str) -> list[str]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"Use at least {MIN_PASSWORD_LENGTH} characters."]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"Use at most {MAX_PASSWORD_LENGTH} characters."]
    return []


def generate_password() -> str:
    """A random initial password, shown to the admin once."""
    return secrets.token_urlsafe(12)


def create_user(session: Session, email: str, password: str, role: Role | str, name: str = "") -> User:
    email = email.strip().lower()
    errors: dict[str, list[str]] = {}
    if "@" not in email or len(email) > 254 or any(ch.isspace() for ch in email):
        errors["email"] = ["Enter a valid email address."]
    elif session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = ["A user with this email already exists."]
    if len(name.strip()) > 200:
        errors["name"] = ["Use at most 200 characters."]
    if password_errors := _password_errors(password):
        errors["password"] = password_errors
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


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.name, User.email)))


def active_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True)).order_by(User.name, User.email)))


def _get(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("This user no longer exists.")
    return user


def _is_last_active_admin(session: Session, user: User) -> bool:
    if user.role != Role.ADMIN or not user.active:
        return False
    others = session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
    )
    return not others


def change_role(session: Session, user_id: int, role: Role | str) -> User:
    user = _get(session, user_id)
    try:
        new_role = Role(role)
    except ValueError as exc:
        raise ValidationFailed({"role": [f"Choose one of: {', '.join(r.value for r in Role)}."]}) from exc
    if new_role != Role.ADMIN and _is_last_active_admin(session, user):
        raise DomainError(f"{user.display_name} is the last active admin; make someone else an admin first.")
    user.role = new_role
    session.flush()
    return user


def set_active(session: Session, user_id: int, active: bool) -> User:
    """Deactivating ends every session of the user at once."""
    user = _get(session, user_id)
    if not active and _is_last_active_admin(session, user):
        raise DomainError(f"{user.display_name} is the last active admin; make someone else an admin first.")
    user.active = active
    if not active:
        end_all_sessions(session, user.id)
    session.flush()
    return user


def set_password(session: Session, user_id: int, password: str) -> User:
    """A new password (admin reset); every existing session of the user ends."""
    user = _get(session, user_id)
    if errors := _password_errors(password):
        raise ValidationFailed({"password": errors})
    user.password_hash = hash_password(password)
    end_all_sessions(session, user.id)
    session.flush()
    return user


def change_own_password(session: Session, user_id: int, current: str, new: str, repeat: str) -> User:
    """The password-change page: the current password, then the new one twice.
    Ends every session of the user; the caller starts a fresh one."""
    user = _get(session, user_id)
    errors: dict[str, list[str]] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = ["This is not your current password."]
    if new_errors := _password_errors(new):
        errors["new_password"] = new_errors
    elif new != repeat:
        errors["repeat_password"] = ["The two new passwords are not the same."]
    elif new == current:
        errors["new_password"] = ["Choose a password different from the current one."]
    if errors:
        raise ValidationFailed(errors)
    return set_password(session, user_id, new)
