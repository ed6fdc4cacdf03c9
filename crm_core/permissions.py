"""What each role may do. The admin pages, the prospect queries and a future
API ask these questions instead of comparing role names themselves.

- admin: everything, including users and settings;
- marketing: forms and all prospects;
- sales: only the prospects they own (and their contacts, activities, notes),
  and the tasks assigned to them; they export what they see but do not import.
"""

from __future__ import annotations

from crm_core.users.models import Role, User

ALL_ROLES: tuple[Role, ...] = tuple(Role)
USER_MANAGERS: tuple[Role, ...] = (Role.ADMIN,)
SETTINGS_MANAGERS: tuple[Role, ...] = (Role.ADMIN,)
FORM_MANAGERS: tuple[Role, ...] = (Role.ADMIN, Role.MARKETING)
ALL_PROSPECT_VIEWERS: tuple[Role, ...] = (Role.ADMIN, Role.MARKETING)
# Webhook endpoints carry data out of the system, and the mail outbox holds
# every lead's details: admins only.
WEBHOOK_MANAGERS: tuple[Role, ...] = (Role.ADMIN,)
OUTBOX_VIEWERS: tuple[Role, ...] = (Role.ADMIN,)
# Imports create prospects for any owner and match duplicates against every prospect, so
# they need the whole list in view: sales export what they own but do not import.
IMPORTERS: tuple[Role, ...] = (Role.ADMIN, Role.MARKETING)

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ADMIN: "Everything: users, settings, forms and all prospects.",
    Role.MARKETING: "Builds forms and sees all prospects.",
    Role.SALES: "Works only the prospects they own.",
}


def has_role(user: User | None, roles: tuple[Role, ...]) -> bool:
    return user is not None and user.active and user.role in roles


def can_manage_users(user: User | None) -> bool:
    return has_role(user, USER_MANAGERS)


def can_manage_settings(user: User | None) -> bool:
    return has_role(user, SETTINGS_MANAGERS)


def can_manage_forms(user: User | None) -> bool:
    return has_role(user, FORM_MANAGERS)


def can_manage_webhooks(user: User | None) -> bool:
    return has_role(user, WEBHOOK_MANAGERS)


def can_see_all_prospects(user: User | None) -> bool:
    return has_role(user, ALL_PROSPECT_VIEWERS)


def can_import(user: User | None) -> bool:
    return has_role(user, IMPORTERS)


def can_edit_note(user: User | None, author_id: int | None) -> bool:
    """A note is its author's words: only they (or an admin) change or delete it."""
    return has_role(user, (Role.ADMIN,)) or (user is not None and user.active and user.id == author_id)


def can_see_all_tasks(user: User | None) -> bool:
    """Admins and marketing may look at anyone's Tasks page; sales see their own
    tasks and the tasks on prospects they own."""
    return has_role(user, ALL_PROSPECT_VIEWERS)
