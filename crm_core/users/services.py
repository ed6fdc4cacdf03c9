"""User accounts: creation, the sign-in check, and what admins change
(role, active, password), never leaving the system without an active admin.
Every password change — admin page, own page or CLI — goes through
``set_password``: the policy applies and every session of the user ends."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.errors import DomainError, NotFound, ValidationFailed
from crm_core.lists.services import ensure_default_lists
from crm_core.users.models import Role, User
from crm_core.users.passwords import hash_password, needs_rehash, verify_password
from crm_core.users.queries import count_users, find_user_by_email, get_user
from crm_core.users.schemas import NewUserSchema, password_errors
from crm_core.users.sessions import end_all_sessions

_new_user = NewUserSchema()


def generate_password() -> str:
    """A random initial password, shown to the admin once."""
    return secrets.token_urlsafe(12)


def create_user(session: Session, email: str, password: str, role: Role | str, name: str = "") -> User:
    errors: dict[str, list[str]] = {}
    try:
        data = _new_user.load({"email": email, "password": password, "role": str(role), "name": name})
    except ValidationError as exc:
        errors = {k: list(v) for k, v in exc.messages.items()}  # type: ignore[union-attr]
        data = None
    if "email" not in errors and find_user_by_email(session, email) is not None:
        errors["email"] = ["A user with this email already exists."]
    if errors or data is None:
        raise ValidationFailed(errors)
    user = User(
        email=data["email"], name=data["name"], role=data["role"], password_hash=hash_password(password)
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def _is_last_active_admin(session: Session, user: User) -> bool:
    if user.role != Role.ADMIN or not user.active:
        return False
    others = session.scalar(
        select(func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
    )
    return not others


def change_role(session: Session, user_id: int, role: Role | str) -> User:
    user = get_user(session, user_id)
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
    user = get_user(session, user_id)
    if not active and _is_last_active_admin(session, user):
        raise DomainError(f"{user.display_name} is the last active admin; make someone else an admin first.")
    user.active = active
    if not active:
        end_all_sessions(session, user.id)
    session.flush()
    return user


def set_password(session: Session, user_id: int, password: str) -> User:
    """A new password (admin reset, CLI); every existing session of the user ends."""
    user = get_user(session, user_id)
    if errors := password_errors(password):
        raise ValidationFailed({"password": errors})
    user.password_hash = hash_password(password)
    end_all_sessions(session, user.id)
    session.flush()
    return user


def reset_password_by_email(session: Session, email: str, password: str) -> User:
    """``leadcapture users reset-password``: the same rules as the admin's reset."""
    user = find_user_by_email(session, email)
    if user is None:
        raise NotFound("No user with this email.")
    return set_password(session, user.id, password)


def change_own_password(session: Session, user_id: int, current: str, new: str, repeat: str) -> User:
    """The password-change page: the current password, then the new one twice.
    Ends every session of the user; the caller starts a fresh one."""
    user = get_user(session, user_id)
    errors: dict[str, list[str]] = {}
    if not verify_password(user.password_hash, current):
        errors["current_password"] = ["This is not your current password."]
    if new_errors := password_errors(new):
        errors["new_password"] = new_errors
    elif new != repeat:
        errors["repeat_password"] = ["The two new passwords are not the same."]
    elif new == current:
        errors["new_password"] = ["Choose a password different from the current one."]
    if errors:
        raise ValidationFailed(errors)
    return set_password(session, user_id, new)


@dataclass
class FirstAdmin:
    email: str
    password: str


def ensure_first_admin(session: Session, email: str = "admin@example.com") -> FirstAdmin | None:
    """Create an admin when there are no users at all; the password is shown once."""
    ensure_default_lists(session)
    if count_users(session):
        return None
    password = generate_password()
    create_user(session, email=email, password=password, role=Role.ADMIN, name="Admin")
    return FirstAdmin(email, password)
