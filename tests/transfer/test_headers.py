"""Column headers and list values matched in en / ro / lt / fr, whatever the case, accents
or punctuation, with no field proposed twice."""

from __future__ import annotations

import pytest

from crm_core.transfer.fields import LANGUAGES, PROSPECT_FIELDS
from crm_core.transfer.headers import header_key, propose_mapping
from crm_core.transfer.values import VOCABULARY, ValueMatcher, names_matcher

KEYS = [field.key for field in PROSPECT_FIELDS]


def test_every_field_is_importable() -> None:
    assert KEYS == [
        "name", "company", "trade_register_no", "registration_code", "address", "postal_code", "city",
        "county", "country", "phone", "email", "description", "status", "source", "priority", "owner",
    ]  # fmt: skip
    assert all(set(field.names) == set(LANGUAGES) for field in PROSPECT_FIELDS)


def test_no_header_name_belongs_to_two_fields() -> None:
    owner: dict[str, str] = {}
    for field in PROSPECT_FIELDS:
        for names in field.names.values():
            for name in names:
                assert owner.setdefault(header_key(name), field.key) == field.key, name


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_templates_own_headers_map_back_in_every_language(language: str) -> None:
    header = [field.header(language) for field in PROSPECT_FIELDS]
    assert propose_mapping(header) == dict(enumerate(KEYS))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # SmartCRM (ro) screen labels, shouted and without diacritics.
        (
            ["NUME", "Companie", "Nr. Reg. Com.", "CUI", "Adresa", "Cod Postal", "Localitate", "Judet", "Tara",
             "Telefon", "E-mail", "Observatii", "STATUS", "Sursă", "Prioritate", "Responsabil"],
            KEYS,
        ),
        # Hanna CRM (lt): "Įmonės kodas" is the company code.
        (
            ["Vardas", "Įmonės pavadinimas", "Įmonės kodas", "Miestas", "El. paštas", "Telefonas", "Būsena",
             "Šaltinis", "Atsakingas asmuo", "Pastabos"],
            ["name", "company", "registration_code", "city", "email", "phone", "status", "source", "owner",
             "description"],
        ),
        (
            ["Nom", "Société", "SIRET", "Code postal", "Ville", "Pays", "Téléphone", "Courriel", "Statut",
             "Priorité", "Propriétaire"],
            ["name", "company", "registration_code", "postal_code", "city", "country", "phone", "email",
             "status", "priority", "owner"],
        ),
        (
            ["Full name", "Company name", "Tax ID", "ZIP code", "Town", "Mobile", "Email address", "Lead source"],
            ["name", "company", "registration_code", "postal_code", "city", "phone", "email", "source"],
        ),
    ],
)  # fmt: skip
def test_real_export_headers_in_each_language(header: list[str], expected: list[str]) -> None:
    assert list(propose_mapping(header).values()) == expected


def test_case_accents_punctuation_and_spacing_do_not_matter() -> None:
    for spelling in ("Cod poștal", "COD POSTAL", "cod_postal", "Cod-Poştal", " codpostal ", "Cod poștal:"):
        assert propose_mapping([spelling]) == {0: "postal_code"}, spelling


def test_a_field_is_proposed_once_and_unknown_columns_are_left_out() -> None:
    assert propose_mapping(["Email", "E-mail", "Favourite colour", "", "Nume"]) == {
        0: "email",
        1: None,
        2: None,
        3: None,
        4: "name",
    }


def test_headers_containing_a_field_name_are_matched_after_exact_ones() -> None:
    mapping = propose_mapping(
        ["Numele prospectului", "Telefon mobil (serviciu)", "Nume", "Owner email", "Email"]
    )
    # "Nume" is exact, so "Numele prospectului" does not take the name; the longest name wins.
    assert mapping == {0: None, 1: "phone", 2: "name", 3: "owner", 4: "email"}


DEFAULT_STATUSES = ["New", "In progress", "Qualified", "Unqualified", "Converted"]


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("New", "New"),
        ("nou", "New"),
        ("NAUJAS", "New"),
        ("Nouveau", "New"),
        ("în curs", "In progress"),
        ("in curs", "In progress"),
        ("En cours", "In progress"),
        ("Calificat", "Qualified"),
        ("Kvalifikuotas", "Qualified"),
        ("qualifiee", "Qualified"),
        ("Necalificat", "Unqualified"),
        ("Non qualifié", "Unqualified"),
        ("Convertit", "Converted"),
        ("Klientas", None),
        ("", None),
        ("  ", None),
    ],
)
def test_status_values_in_any_language(value: str, status: str | None) -> None:
    assert names_matcher(DEFAULT_STATUSES, "status").match(value) == status


def test_sources_and_priorities_in_any_language() -> None:
    sources = names_matcher(
        ["Web form", "Referral", "Marketing campaign", "Phone", "Email", "Event", "Other"], "source"
    )
    assert [sources.match(v) for v in ("Recomandare", "Rinkodaros kampanija", "Salon", "Kita", "courriel")] == [
        "Referral", "Marketing campaign", "Event", "Other", "Email",
    ]  # fmt: skip
    priorities = names_matcher(["Low", "Medium", "High"], "priority")
    assert [priorities.match(v) for v in ("Scăzută", "vidutinė", "Élevée", "HIGH", "urgent")] == [
        "Low", "Medium", "High", "High", None,
    ]  # fmt: skip


def test_renamed_values_are_found_through_their_meaning() -> None:
    renamed = names_matcher(["Nou", "În curs"], "status")
    assert renamed.match("New") == "Nou"
    assert renamed.match("Nouveau") == "Nou"
    assert renamed.match("in progress") == "În curs"


def test_a_meaning_two_values_share_matches_only_by_name() -> None:
    both = names_matcher(["New", "Nou"], "status")
    assert both.match("nou") == "Nou"
    assert both.match("NEW") == "New"
    assert both.match("Naujas") is None


def test_a_matcher_returns_keys_such_as_ids_and_matches_owners_by_name_or_email() -> None:
    owners = ValueMatcher({"Ana Popescu": 7, "ana@example.ro": 7, "Jonas Petraitis": 9})
    assert [owners.match(v) for v in ("ana popescu", "ANA@example.ro", "Jonas Petraitis", "Ana")] == [
        7,
        7,
        9,
        None,
    ]


def test_no_word_has_two_meanings_in_a_vocabulary() -> None:
    for kind, meanings in VOCABULARY.items():
        seen: dict[str, str] = {}
        for meaning, words in meanings.items():
            for word in words:
                assert seen.setdefault(header_key(word), meaning) == meaning, (kind, word)
