"""The offers list for someone who sees only their own: the offers they own
(whoever owns the account) and the other offers of the accounts they own —
each once, in order, page after page, with the filters applied."""

from __future__ import annotations

from crm_core.accounts.services import create_account
from crm_core.db import transaction
from crm_core.offers.queries import list_offers, parse_offer_filter
from crm_core.offers.services import create_offer


def names(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [row[0].name for row in page.rows]


def test_own_offers_and_offers_of_own_accounts_once_each_page_by_page(session_factory, staff) -> None:
    sam, sue = staff["sales"], staff["sales2"]
    with transaction(session_factory) as session:
        sams = create_account(session, sam, {"name": "Sam's account"})
        sues = create_account(session, sue, {"name": "Sue's account"})
        expected = []
        for i in range(7):
            # Alternate: Sam's offer on Sam's account; Sue's offer on Sam's account;
            # Sam's offer on Sue's account; Sue's offer on Sue's account (not Sam's to see).
            pairs = [(sam, sams, "mine"), (sue, sams, "on my account"), (sam, sues, "mine elsewhere")]
            for owner, account, what in pairs:
                offer = create_offer(
                    session,
                    staff["admin"],
                    account.id,
                    {
                        "name": f"{i} {what}",
                        "currency": "EUR",
                        "owner_id": str(owner.id),
                        "probability": str(i * 10),
                    },
                )
                expected.append(offer.name)
            create_offer(
                session, sue, sues.id, {"name": f"{i} hidden", "currency": "EUR", "owner_id": str(sue.id)}
            )
    with session_factory() as session:
        first = list_offers(session, sam, parse_offer_filter({}), limit=8)
        second = list_offers(session, sam, parse_offer_filter({}), limit=8, after=first.next_cursor)
        third = list_offers(session, sam, parse_offer_filter({}), limit=8, after=second.next_cursor)
        seen = names(first) + names(second) + names(third)
        assert seen == list(reversed(expected)), "newest first, each once, none hidden"
        assert third.next_cursor is None
        back = list_offers(session, sam, parse_offer_filter({}), limit=8, before=second.prev_cursor)
        assert names(back) == names(first)

        by_name = list_offers(session, sam, parse_offer_filter({"sort": "name", "probability_min": "50"}))
        assert names(by_name) == sorted(n for n in expected if int(n[0]) >= 5)
        assert names(list_offers(session, sue, parse_offer_filter({"q": "elsewhere"}))) == [
            f"{i} mine elsewhere" for i in reversed(range(7))
        ], "Sue sees Sam's offers on her account"
        admin = list_offers(session, staff["admin"], parse_offer_filter({}), limit=200)
        assert len(admin.rows) == 28
