"""Turning a prospect into a customer ("Transformă în Ofertă" / "Konvertuoti į
klientą"): **convert** creates (or links) the account, copies the contacts,
creates the offer and marks the prospect converted — in one transaction; or
**allocate** links the prospect to an account that already exists ("Alocă
unui Cont"). An admin may **reopen** a converted prospect.

A double click or two people converting at once produce exactly one account
and one offer: the prospect's row is locked first, and whoever comes second
finds it converted (``AlreadyConverted``). The prospect's activities, tasks
and notes stay on the prospect; the account shows them through the link
(``Prospect.account_id``), and the offer points back (``Offer.prospect_id``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account, AccountType
from crm_core.accounts.queries import matching_accounts
from crm_core.accounts.services import create_account
from crm_core.accounts.visibility import get_visible_account
from crm_core.clock import now
from crm_core.contacts.models import Contact
from crm_core.contacts.queries import contacts_of
from crm_core.db import utcnow
from crm_core.errors import AlreadyConverted, DomainError, PossibleDuplicate, ValidationFailed
from crm_core.events.payloads import prospect_data
from crm_core.events.services import record_event
from crm_core.lists.models import Status, StatusKind
from crm_core.lists.queries import default_status_id
from crm_core.offers.models import Offer
from crm_core.offers.services import create_offer, load_offer
from crm_core.parents import Parent, ParentType
from crm_core.permissions import can_manage_settings
from crm_core.prospects.history import display_value, record_change
from crm_core.prospects.models import Prospect
from crm_core.prospects.status import UTC_ZONE, entered_status
from crm_core.prospects.visibility import get_visible_prospect
from crm_core.users.models import User

ACCOUNT_FIELDS = (
    "type", "name", "registration_code", "trade_register_no", "reference", "address", "postal_code",
    "city", "county", "country", "phone", "email", "website", "description", "owner_id",
)  # fmt: skip
# The offer's fields carry an "offer_" prefix where the account has a field of the same name.
OFFER_FIELDS = {
    "offer_name": "name",
    "expiry_date": "expiry_date",
    "probability": "probability",
    "priority_id": "priority_id",
    "currency": "currency",
    "offer_description": "description",
}
_FORM_PREFIX = re.compile(r"^\s*\[[^\]]{1,40}\]\s*")


@dataclass(frozen=True)
class Converted:
    prospect: Prospect
    account: Account
    offer: Offer | None
    linked: bool  # an existing account, not a new one


def person_name(prospect: Prospect) -> str:
    """The visitor's name without the form's prefix ("[Web] Ana Pop" → "Ana Pop")."""
    return _FORM_PREFIX.sub("", prospect.name).strip() or prospect.name


def conversion_defaults(prospect: Prospect, default_currency: str) -> dict[str, Any]:
    """The convert page, pre-filled from the prospect."""
    company = bool(prospect.company.strip())
    return {
        "type": AccountType.COMPANY.value if company else AccountType.PERSON.value,
        "name": prospect.company.strip() if company else person_name(prospect),
        "registration_code": prospect.registration_code,
        "trade_register_no": prospect.trade_register_no,
        "address": prospect.address,
        "postal_code": prospect.postal_code,
        "city": prospect.city,
        "county": prospect.county,
        "country": prospect.country,
        "phone": prospect.phone,
        "email": prospect.email,
        "owner_id": str(prospect.owner_id or ""),
        "offer_name": f"Offer for {prospect.company.strip() or person_name(prospect)}"[:200],
        "probability": "50",
        "priority_id": str(prospect.priority_id or ""),
        "currency": default_currency,
        "copy_contacts": "1",
        "offer_contact": "new",
    }


def _lock(session: Session, prospect_id: int) -> None:
    """Take the prospect's row before reading it: on PostgreSQL a row lock (a
    second converter waits, then sees the first one's result); on SQLite a
    write, which takes the database's single write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Prospect.id).where(Prospect.id == prospect_id).with_for_update())
    else:
        session.execute(
            update(Prospect)
            .where(Prospect.id == prospect_id)
            .values(converted_at=Prospect.converted_at, updated_at=Prospect.updated_at)
            .execution_options(synchronize_session=False)
        )


def _fresh_unconverted(session: Session, editor: User, prospect_id: int) -> Prospect:
    _lock(session, prospect_id)
    prospect = get_visible_prospect(session, editor, prospect_id)
    session.refresh(prospect)
    if prospect.converted_at is not None:
        raise AlreadyConverted(f"“{prospect.name}” was already converted; nothing was created twice.")
    return prospect


def _converted_status(session: Session) -> Status:
    status = session.scalar(
        select(Status).where(Status.kind == StatusKind.CONVERTED).order_by(Status.position).limit(1)
    )
    if status is None:
        raise DomainError("Add a status of kind “converted” in Settings first.")
    return status


def _copy_contact(session: Session, editor: User, contact: Contact, account: Account) -> Contact:
    copy = Contact(
        parent_type=ParentType.ACCOUNT,
        parent_id=account.id,
        name=contact.name,
        job_title=contact.job_title,
        department=contact.department,
        phone=contact.phone,
        email=contact.email,
        is_primary=False,
        created_by_id=editor.id,
    )
    session.add(copy)
    session.flush()
    return copy


def _ensure_primary(session: Session, account: Account) -> None:
    contacts = contacts_of(session, Parent(ParentType.ACCOUNT, account.id))
    if contacts and not any(c.is_primary for c in contacts):
        contacts[0].is_primary = True
        session.flush()


def _mark_converted(
    session: Session,
    editor: User,
    prospect: Prospect,
    account: Account,
    zone: ZoneInfo,
    offer: Offer | None = None,
) -> None:
    status = _converted_status(session)
    changes = {"account": ["", account.name]}
    old_status = prospect.status_id
    if old_status != status.id:
        changes["status_id"] = [display_value(session, "status_id", old_status), status.name]
    prospect.status_id = status.id
    prospect.account_id = account.id
    prospect.converted_at = now()
    prospect.converted_by_id = editor.id
    prospect.updated_at = utcnow()
    record_change(session, prospect.id, editor, "converted", changes)
    session.flush()
    record_event(
        session,
        "prospect.converted",
        {
            "prospect": prospect_data(prospect),
            "account": {"id": account.id, "name": account.name},
            "offer": {"id": offer.id, "name": offer.name} if offer else None,
            "by_user_id": editor.id,
        },
    )
    if old_status != status.id:
        entered_status(session, [(prospect.id, prospect.owner_id, status.id)], editor, zone)


def convert_prospect(
    session: Session, editor: User, prospect_id: int, data: Mapping[str, Any], *, zone: ZoneInfo = UTC_ZONE
) -> Converted:
    prospect = _fresh_unconverted(session, editor, prospect_id)
    raw = dict(data)
    offer_data = {target: raw.get(source, "") for source, target in OFFER_FIELDS.items()}
    _check_offer(session, offer_data)  # before anything is written
    linked = bool(str(raw.get("account_id") or "").strip())
    if linked:
        account_id = str(raw["account_id"]).strip()
        if not account_id.isdigit():
            raise ValidationFailed({"account_id": ["Choose an account from the list."]})
        account = get_visible_account(session, editor, int(account_id))
    else:
        account_data = {name: raw.get(name, "") for name in ACCOUNT_FIELDS}
        if str(raw.get("create_anyway") or "") != "1":
            matches = matching_accounts(
                session,
                editor,
                registration_code=str(account_data.get("registration_code") or ""),
                email=str(account_data.get("email") or "")
                if account_data.get("type") == AccountType.PERSON
                else "",
                phone=str(account_data.get("phone") or "")
                if account_data.get("type") == AccountType.PERSON
                else "",
            )
            if matches:
                raise PossibleDuplicate(
                    "An account with the same registration code (or, for a person, the same email or phone) "
                    "exists: link the prospect to it, or confirm a new account.",
                    list(matches),
                )
        account = create_account(session, editor, account_data)
    offer_contact = _contacts(session, editor, prospect, account, raw)
    offer_data["owner_id"] = str(account.owner_id or editor.id)
    offer_data["contact_id"] = str(offer_contact.id) if offer_contact else ""
    try:
        offer = create_offer(session, editor, account.id, offer_data, prospect_id=prospect.id)
    except ValidationFailed as exc:
        renamed = {v: k for k, v in OFFER_FIELDS.items()}
        raise ValidationFailed(
            {renamed.get(name, name): messages for name, messages in exc.fields.items()}
        ) from exc
    _mark_converted(session, editor, prospect, account, zone)
    return Converted(prospect, account, offer, linked)


def _check_offer(session: Session, offer_data: dict[str, Any]) -> None:
    """The offer's own fields, checked with the form's names ("offer_name")."""
    try:
        load_offer(session, 0, {**offer_data, "contact_id": ""})
    except ValidationFailed as exc:
        renamed = {v: k for k, v in OFFER_FIELDS.items()}
        raise ValidationFailed(
            {renamed.get(name, name): messages for name, messages in exc.fields.items()}
        ) from exc


def _contacts(
    session: Session, editor: User, prospect: Prospect, account: Account, raw: Mapping[str, Any]
) -> Contact | None:
    """Copy the prospect's contacts to the account (all, or the one the offer goes
    to), and return the offer's contact: "prospect:<id>", "account:<id>", "new"
    (from the prospect's own name, phone and email) or "" (none)."""
    choice = str(raw.get("offer_contact") or "")
    copy_all = str(raw.get("copy_contacts") or "") in ("1", "on", "true")
    copies: dict[int, Contact] = {}
    for contact in contacts_of(session, Parent.prospect(prospect.id)):
        if copy_all or choice == f"prospect:{contact.id}":
            copies[contact.id] = _copy_contact(session, editor, contact, account)
    chosen: Contact | None = None
    if choice.startswith("prospect:"):
        key = choice.split(":", 1)[1]
        chosen = copies.get(int(key)) if key.isdigit() else None
        if chosen is None:
            raise ValidationFailed({"offer_contact": ["Choose one of the prospect's contacts."]})
    elif choice.startswith("account:"):
        key = choice.split(":", 1)[1]
        found = session.get(Contact, int(key)) if key.isdigit() else None
        if found is None or found.parent_type != ParentType.ACCOUNT or found.parent_id != account.id:
            raise ValidationFailed({"offer_contact": ["Choose one of the account's contacts."]})
        chosen = found
    elif choice == "new":
        chosen = Contact(
            parent_type=ParentType.ACCOUNT,
            parent_id=account.id,
            name=person_name(prospect)[:200],
            phone=prospect.phone,
            email=prospect.email,
            created_by_id=editor.id,
        )
        session.add(chosen)
        session.flush()
    _ensure_primary(session, account)
    return chosen


def allocate_prospect(
    session: Session,
    editor: User,
    prospect_id: int,
    account_id: int,
    *,
    copy_contacts: bool = False,
    zone: ZoneInfo = UTC_ZONE,
) -> Converted:
    """Link the prospect to an existing account and mark it converted; several
    prospects may lead to one account."""
    prospect = _fresh_unconverted(session, editor, prospect_id)
    account = get_visible_account(session, editor, account_id)
    if copy_contacts:
        for contact in contacts_of(session, Parent.prospect(prospect.id)):
            _copy_contact(session, editor, contact, account)
        _ensure_primary(session, account)
    _mark_converted(session, editor, prospect, account, zone)
    return Converted(prospect, account, None, True)


def reopen_prospect(
    session: Session, editor: User, prospect_id: int, *, zone: ZoneInfo = UTC_ZONE
) -> Prospect:
    """An admin takes a converted prospect back into work: it gets the default
    status and can be edited again; its account and offer stay."""
    if not can_manage_settings(editor):
        raise DomainError("Only an admin can reopen a converted prospect.")
    prospect = get_visible_prospect(session, editor, prospect_id)
    if prospect.converted_at is None:
        return prospect
    status_id = default_status_id(session)
    changes = {"converted": ["yes", "no (reopened)"]}
    if status_id != prospect.status_id:
        changes["status_id"] = [
            display_value(session, "status_id", prospect.status_id),
            display_value(session, "status_id", status_id),
        ]
    prospect.converted_at = None
    prospect.converted_by_id = None
    prospect.status_id = status_id
    prospect.updated_at = utcnow()
    record_change(session, prospect.id, editor, "reopened", changes)
    session.flush()
    if "status_id" in changes and status_id is not None:
        entered_status(session, [(prospect.id, prospect.owner_id, status_id)], editor, zone)
    return prospect
