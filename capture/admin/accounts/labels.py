"""How an account's fields read on its card, its form and the convert page."""

from __future__ import annotations

from crm_core.accounts.models import AccountType

ACCOUNT_LABELS: dict[str, str] = {
    "type": "Type",
    "name": "Name",
    "registration_code": "Registration code (CUI / tax id)",
    "trade_register_no": "Trade register no.",
    "reference": "Reference",
    "address": "Address",
    "postal_code": "Postal code",
    "city": "City",
    "county": "County",
    "country": "Country",
    "phone": "Phone",
    "email": "Email",
    "website": "Website",
    "description": "Description",
    "owner_id": "Owner",
}
TYPE_LABELS: dict[AccountType, str] = {AccountType.COMPANY: "Company", AccountType.PERSON: "Person"}
