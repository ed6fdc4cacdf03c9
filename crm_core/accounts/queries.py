"""Reading accounts: the list (filters, keyset pages), search by name,
registration code or email ignoring diacritics (to allocate a prospect), the
accounts a new one would duplicate, and the prospects that led to one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from crm_core.accounts.models import Account, AccountType
from crm_core.accounts.schemas import AccountFilterSchema
from crm_core.accounts.visibility import account_clauses
from crm_core.list_filters import owner_ids
from crm_core.paging import Page, keyset_page
from crm_core.prospects.models import Prospect
from crm_core.prospects.visibility import visible_clauses
from crm_core.text.search import LIKE_ESCAPE, anywhere_pattern, fold
from crm_core.users.models import User

_filters = AccountFilterSchema()


@dataclass(frozen=True)
class AccountFilter:
    q: str = ""
    owner: tuple[str, ...] = ()
    type: tuple[AccountType, ...] = ()
    country: str = ""
    county: str = ""
    sort: str = "-created"
    errors: dict[str, Any] = field(default_factory=dict, compare=False)


def parse_account_filter(args: Mapping[str, Any]) -> AccountFilter:
    getlist = getattr(args, "getlist", lambda name: [args[name]] if name in args else [])
    raw = {
        "q": args.get("q", ""),
        "owner": [v for v in getlist("owner") if v],
        "type": [v for v in getlist("type") if v],
        "country": args.get("country", ""),
        "county": args.get("county", ""),
        "sort": args.get("sort") or "-created",
    }
    try:
        data = _filters.load(raw)
        errors: dict[str, Any] = {}
    except ValidationError as exc:
        errors = exc.messages  # type: ignore[assignment]
        data = _filters.load({k: v for k, v in raw.items() if k not in errors})
    return AccountFilter(
        q=data["q"].strip(),
        owner=tuple(data["owner"]),
        type=tuple(data["type"]),
        country=data["country"].strip(),
        county=data["county"].strip(),
        sort=data["sort"],
        errors=errors,
    )


def _clauses(flt: AccountFilter, viewer: User) -> list[ColumnElement[bool]]:
    clauses = list(account_clauses(viewer))
    for term in fold(flt.q).split():
        clauses.append(Account.search_text.like(anywhere_pattern(term), escape=LIKE_ESCAPE))
    owners = owner_ids(flt.owner, viewer)
    if owners:
        clauses.append(Account.owner_id.in_(owners))
    if flt.type:
        clauses.append(Account.type.in_(flt.type))
    if flt.country:
        clauses.append(func.lower(Account.country) == flt.country.lower())
    if flt.county:
        clauses.append(func.lower(Account.county) == flt.county.lower())
    return clauses


def list_accounts(
    session: Session,
    viewer: User,
    flt: AccountFilter,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = 50,
) -> Page:
    column = {"created": Account.created_at, "name": Account.name}[flt.sort.lstrip("-")]
    stmt: Select[Any] = select(Account).where(*_clauses(flt, viewer))
    key = "created_at" if flt.sort.lstrip("-") == "created" else "name"
    return keyset_page(
        session,
        stmt,
        sort=flt.sort,
        column=column,
        id_column=Account.id,
        key_of=lambda row: (getattr(row[0], key), row[0].id),
        after=after,
        before=before,
        limit=limit,
    )


def search_accounts(session: Session, viewer: User, text: str, limit: int = 20) -> list[Account]:
    """Accounts whose name, registration code, email or phone contain every
    word of ``text``, diacritics ignored ("Stefan" finds "Ștefan SRL")."""
    terms = fold(text).split()
    if not terms:
        return []
    stmt = select(Account).where(
        *account_clauses(viewer),
        *(Account.search_text.like(anywhere_pattern(term), escape=LIKE_ESCAPE) for term in terms),
    )
    return list(session.scalars(stmt.order_by(Account.name, Account.id).limit(limit)))


def matching_accounts(
    session: Session,
    viewer: User,
    *,
    registration_code: str = "",
    email: str = "",
    phone: str = "",
    limit: int = 10,
) -> list[Account]:
    """Accounts a new one would duplicate: the same registration code (a
    company), or the same email or phone (a person)."""
    options: list[ColumnElement[bool]] = []
    code = "".join(registration_code.split()).upper()
    if code:
        options.append(func.upper(func.replace(Account.registration_code, " ", "")) == code)
    if email.strip():
        options.append(func.lower(Account.email) == email.strip().lower())
    if phone.strip():
        options.append(Account.phone == phone.strip())
    if not options:
        return []
    stmt = select(Account).where(or_(*options), *account_clauses(viewer)).order_by(Account.id).limit(limit)
    return list(session.scalars(stmt))


def prospects_of_account(session: Session, viewer: User, account_id: int) -> list[Prospect]:
    """The prospects that led to the account (traceability), those ``viewer`` may see."""
    stmt = select(Prospect).where(Prospect.account_id == account_id, *visible_clauses(viewer))
    return list(session.scalars(stmt.order_by(Prospect.converted_at.desc(), Prospect.id.desc())))
