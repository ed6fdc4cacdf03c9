"""Seed N realistic prospects for the list benchmark.

    python bench/seed_prospects.py 1000000 --database-url postgresql+psycopg://…/lc_bench
    python bench/seed_prospects.py 100000 --database-url sqlite:////tmp/lc_bench.db

Migrates the database, adds staff (an admin ``bench-admin@example.com`` with
password ``bench-password-123``, marketing, 20 sales owners), three forms,
then N prospects: Romanian, Lithuanian and French names and companies with
diacritics, emails, phones, registration codes, statuses / priorities /
sources / owners with skewed weights, created over the last two years with
growth. PostgreSQL gets COPY with the secondary indexes rebuilt afterwards;
SQLite gets batched multi-row inserts. Deterministic (``--seed``).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script from a clone, with or without the package installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Engine, insert, select, text

from crm_core.db import make_engine, make_session_factory, transaction
from crm_core.forms.services import create_form
from crm_core.lists.services import ensure_default_lists
from crm_core.migrate import upgrade
from crm_core.models import Priority, Prospect, Source, Status, User
from crm_core.text.search import fold, search_text
from crm_core.users.services import create_user

ADMIN_EMAIL = "bench-admin@example.com"
ADMIN_PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway benchmark database
SALES_USERS = 20


def _words(text_: str) -> list[str]:
    return text_.split()


FIRST = {
    "ro": _words(
        "Ana Andrei Ioana Ștefan Mihai Elena Cristina Răzvan Alexandru Maria Bogdan Ionuț Adriana Șerban "
        "Gheorghe Diana Cătălin Irina Florin Oana Tudor Simona Vlad Teodora Radu Larisa Dănuț Mădălina"
    ),
    "lt": _words(
        "Jonas Rūta Tomas Eglė Mantas Gintarė Žygimantas Aušra Lukas Ieva Šarūnas Vaida Dovydas Justė "
        "Kęstutis Rasa Mindaugas Aistė Paulius Gabrielė Vytautas Dalia Arūnas Indrė"
    ),
    "fr": _words(
        "Jean Marie Élodie François Camille Hélène Théo Léa Gaël Chloé Benoît Zoé Jérôme Inès Loïc "
        "Margaux Étienne Noémie Sébastien Anaïs Céline Raphaël Amélie Grégoire"
    ),
}
LAST = {
    "ro": _words(
        "Popescu Ionescu Popa Dumitrescu Stan Stoica Gheorghiu Rusu Munteanu Matei Constantin Șerban "
        "Tănase Mocanu Lazăr Ciobanu Năstase Pîrvu Vasilescu Bălan Țurcanu Dobre Manea Moldovan"
    ),
    "lt": _words(
        "Kazlauskas Jankauskas Petrauskas Stankevičius Vasiliauskas Žukauskas Butkus Paulauskas "
        "Urbonas Kavaliauskas Navickas Ramanauskas Šimkus Gudaitis Balčiūnas Mažeika Žilinskas"
    ),
    "fr": _words(
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre "
        "Michel Garcia Fontaine Rousseau Blanc Guérin Müller Boyer Chevalier François Gérard"
    ),
}
COMPANY_WORDS = {
    "ro": (
        _words(
            "Agro Construct Trans Med Dacia Carpați Tehnic Soft Nord Vest Bucovina Prod Invest Lemn Știință"
        ),
        ["SRL", "S.A.", "SRL-D", "IMPEX SRL"],
    ),
    "lt": (
        _words("Baltijos Žalgiris Nemuno Vilniaus Šiaurės Medienos Statybų Technologijų Prekybos Gintaro"),
        ["UAB", "AB", "MB"],
    ),
    "fr": (
        _words(
            "Atelier Boulangerie Société Générale Logistique Électricité Bâtiment Côte Énergie Médical Forêt"
        ),
        ["SARL", "SAS", "SA", "EURL"],
    ),
}
CITIES = {
    "ro": [("București", "Ilfov"), ("Cluj-Napoca", "Cluj"), ("Iași", "Iași"), ("Timișoara", "Timiș")],
    "lt": [("Vilnius", "Vilniaus"), ("Kaunas", "Kauno"), ("Klaipėda", "Klaipėdos"), ("Šiauliai", "Šiaulių")],
    "fr": [("Paris", "Île-de-France"), ("Lyon", "Rhône"), ("Besançon", "Doubs"), ("Nîmes", "Gard")],
}
COUNTRY = {"ro": "România", "lt": "Lietuva", "fr": "France"}
DOMAINS = {
    "ro": ["gmail.com", "yahoo.ro", "firma.ro"],
    "lt": ["gmail.com", "inbox.lt", "imone.lt"],
    "fr": ["gmail.com", "orange.fr", "free.fr"],
}
COUNTRY_WEIGHTS = [("ro", 0.5), ("lt", 0.25), ("fr", 0.25)]
STATUS_WEIGHTS = {"New": 40, "In progress": 25, "Qualified": 15, "Unqualified": 15, "Converted": 5}
PRIORITY_WEIGHTS = {"Low": 30, "Medium": 50, "High": 20}
SOURCE_WEIGHTS = {
    "Web form": 50,
    "Referral": 10,
    "Marketing campaign": 15,
    "Phone": 10,
    "Email": 8,
    "Event": 5,
    "Other": 2,
}
COLUMNS = _words(
    "name company trade_register_no registration_code address postal_code city county country phone email "
    "description status_id priority_id source_id owner_id form_id submission_id page_url referrer "
    "attribution custom_fields consent_given consent_text consent_at created_at updated_at search_text"
)


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Iterator[Any]:
    keys, values = list(weights), list(weights.values())
    while True:
        yield from rng.choices(keys, values, k=1024)


def _phone(rng: random.Random, country: str) -> str:
    if country == "ro":
        return f"+40 7{rng.randint(20, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"
    if country == "lt":
        return f"+370 6{rng.randint(10, 99)} {rng.randint(10000, 99999)}"
    return f"+33 6 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def _registration(rng: random.Random, country: str) -> tuple[str, str]:
    if country == "ro":
        return f"J{rng.randint(1, 52):02d}/{rng.randint(1, 9999)}/{rng.randint(2000, 2025)}", (
            f"RO{rng.randint(1_000_000, 49_999_999)}"
        )
    if country == "lt":
        return "", f"{rng.randint(100_000_000, 399_999_999)}"
    return f"RCS {rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}", (
        f"FR{rng.randint(10, 99)}{rng.randint(100_000_000, 999_999_999)}"
    )


def generate(n: int, seed: int, ids: dict[str, Any]) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    span = 2 * 365 * 24 * 3600
    statuses = _weighted(rng, {ids["status"][k]: w for k, w in STATUS_WEIGHTS.items()})
    priorities = _weighted(rng, {ids["priority"][k]: w for k, w in PRIORITY_WEIGHTS.items()})
    sources = _weighted(rng, {ids["source"][k]: w for k, w in SOURCE_WEIGHTS.items()})
    # Sales owners get uneven shares; one prospect in ten is unassigned.
    owner_weights = {uid: 1 + (i % 5) for i, uid in enumerate(ids["owners"])}
    owner_weights[None] = sum(owner_weights.values()) // 9
    owners = _weighted(rng, owner_weights)
    countries = _weighted(rng, dict((c, int(w * 100)) for c, w in COUNTRY_WEIGHTS))
    web_source = ids["source"]["Web form"]
    for i in range(n):
        country = next(countries)
        first, last = rng.choice(FIRST[country]), rng.choice(LAST[country])
        name = f"{first} {last}"
        words, suffixes = COMPANY_WORDS[country]
        company = (
            "" if rng.random() < 0.15 else f"{rng.choice(words)} {rng.choice(words)} {rng.choice(suffixes)}"
        )
        local = f"{fold(first)}.{fold(last)}".replace(" ", "")
        email = f"{local}{rng.randint(1, 999)}@{rng.choice(DOMAINS[country])}"
        city, county = rng.choice(CITIES[country])
        trade, code = _registration(rng, country) if company else ("", "")
        source_id = next(sources)
        from_form = source_id == web_source
        # sqrt skews creation towards recent dates: the business grows.
        created = now - timedelta(
            seconds=int(span * (1 - rng.random() ** 0.5)), microseconds=rng.randint(0, 999)
        )
        row = {
            "name": f"[Web] {name}" if from_form else name,
            "company": company,
            "trade_register_no": trade,
            "registration_code": code,
            "address": f"Str. {rng.choice(LAST[country])} {rng.randint(1, 200)}",
            "postal_code": f"{rng.randint(10000, 99999)}",
            "city": city,
            "county": county,
            "country": COUNTRY[country],
            "phone": _phone(rng, country) if rng.random() < 0.85 else "",
            "email": email,
            "description": "" if rng.random() < 0.6 else "Interested in a quote. Please call after 14:00.",
            "status_id": next(statuses),
            "priority_id": next(priorities),
            "source_id": source_id,
            "owner_id": next(owners),
            "form_id": rng.choice(ids["forms"]) if from_form else None,
            "submission_id": f"bench-{seed}-{i}" if from_form else None,
            "page_url": "https://example.com/contact?utm_source=news" if from_form else "",
            "referrer": "https://www.google.com/" if from_form else "",
            "attribution": {"utm_source": "news"} if from_form and rng.random() < 0.3 else {},
            "custom_fields": {},
            "consent_given": from_form,
            "consent_text": "I agree to be contacted." if from_form else "",
            "consent_at": created if from_form else None,
            "created_at": created,
            "updated_at": created,
        }
        row["search_text"] = search_text(row)
        yield row


def prepare(engine: Engine, url: str) -> dict[str, Any]:
    upgrade(url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        ensure_default_lists(session)
        if session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is None:
            create_user(session, ADMIN_EMAIL, ADMIN_PASSWORD, "admin", name="Bench Admin")
            create_user(session, "bench-marketing@example.com", ADMIN_PASSWORD, "marketing", name="Mara")
            for i in range(SALES_USERS):
                person = f"{FIRST['ro'][i % 28]} {LAST['lt'][i % 17]}"
                create_user(session, f"sales{i + 1}@example.com", ADMIN_PASSWORD, "sales", name=person)
            for name in ("Contact us", "Pricing", "Newsletter"):
                fields = [{"name": "name", "required": True}, {"name": "email", "required": True}]
                create_form(session, {"name": name, "allowed_domains": ["example.com"], "fields": fields})
        from crm_core.models import WebForm

        return {
            "status": {s.name: s.id for s in session.scalars(select(Status))},
            "priority": {p.name: p.id for p in session.scalars(select(Priority))},
            "source": {s.name: s.id for s in session.scalars(select(Source))},
            "owners": list(session.scalars(select(User.id).where(User.role == "sales").order_by(User.id))),
            "forms": list(session.scalars(select(WebForm.id).order_by(WebForm.id))),
        }


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    text_value = str(value)
    return text_value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def seed_postgres(engine: Engine, rows: Iterator[dict[str, Any]], batch: int = 50_000) -> None:
    with engine.connect() as conn:
        # Building indexes once after loading is far faster than maintaining 13 during COPY.
        indexes = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'prospects' "
                "AND indexname NOT IN ('pk_prospects', 'uq_prospects_submission_id')"
            )
        ).all()
        for name, _definition in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
        conn.commit()
        raw = conn.connection.dbapi_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(f"COPY prospects ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for i, row in enumerate(rows, 1):
                buffer.write("\t".join(_copy_value(row[c]) for c in COLUMNS))
                buffer.write("\n")
                if i % batch == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
                    print(f"  {i:,} rows", flush=True)
            copy.write(buffer.getvalue())
        raw.commit()
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        for name, definition in indexes:
            started = time.perf_counter()
            conn.execute(text(definition))
            conn.commit()
            print(f"  index {name}: {time.perf_counter() - started:.1f}s", flush=True)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE prospects"))


def seed_sqlite(engine: Engine, rows: Iterator[dict[str, Any]], batch: int = 10_000) -> None:
    chunk: list[dict[str, Any]] = []
    done = 0
    with engine.begin() as conn:
        for row in rows:
            chunk.append(row)
            if len(chunk) == batch:
                conn.execute(insert(Prospect), chunk)
                done += len(chunk)
                chunk = []
                print(f"  {done:,} rows", flush=True)
        if chunk:
            conn.execute(insert(Prospect), chunk)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("count", type=int)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    started = time.perf_counter()
    ids = prepare(engine, args.database_url)
    rows = generate(args.count, args.seed, ids)
    if engine.dialect.name == "postgresql":
        seed_postgres(engine, rows)
    else:
        seed_sqlite(engine, rows)
    engine.dispose()
    print(f"seeded {args.count:,} prospects in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
