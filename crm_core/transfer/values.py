"""Matching a file's status / source / priority / owner values to the ones that exist.

A Romanian file says "Calificat", a French one "Qualifié", and the CRM's status may be
named "Qualified" (the default) or whatever an admin renamed it to. A value matches:

1. a choice with the same name, ignoring case, accents, punctuation and spacing
   (``headers.header_key``: "În curs" = "in curs" = "IN-CURS"); else
2. the one choice that means the same, through ``VOCABULARY``: the default values in
   en / ro / lt / fr. If "nou" and "New" are both words for *new*, a file's "Nou" finds a
   status named "New", and a file's "New" finds one an admin renamed "Nou".

A word whose meaning two choices share (statuses "New" and "Nou" both exist) matches only
by name: guessing between them would be wrong half of the time. The admin maps unknown
values to a chosen one or lets those rows fail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

from crm_core.transfer.headers import header_key

K = TypeVar("K")

# Meaning → the words for it (the defaults of crm_core.lists.defaults, then ro, lt, fr).
VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "status": {
        "new": ("New", "Nou", "Nouă", "Naujas", "Nauja", "Nouveau", "Nouvelle"),
        "in_progress": (
            "In progress",
            "În curs",
            "În lucru",
            "În desfășurare",
            "Vykdomas",
            "Vykdoma",
            "Nagrinėjamas",
            "En cours",
            "En traitement",
        ),
        "qualified": (
            "Qualified",
            "Calificat",
            "Calificată",
            "Kvalifikuotas",
            "Kvalifikuota",
            "Qualifié",
            "Qualifiée",
        ),
        "unqualified": (
            "Unqualified",
            "Disqualified",
            "Necalificat",
            "Necalificată",
            "Nekvalifikuotas",
            "Nekvalifikuota",
            "Non qualifié",
            "Non qualifiée",
            "Disqualifié",
        ),
        "converted": (
            "Converted",
            "Convertit",
            "Convertită",
            "Konvertuotas",
            "Konvertuota",
            "Converti",
            "Convertie",
        ),
    },
    "source": {
        "web_form": (
            "Web form",
            "Website",
            "Formular web",
            "Site web",
            "Interneto forma",
            "Svetainė",
            "Formulaire web",
        ),
        "referral": ("Referral", "Recomandare", "Rekomendacija", "Recommandation", "Parrainage"),
        "campaign": (
            "Marketing campaign",
            "Campanie de marketing",
            "Campanie marketing",
            "Rinkodaros kampanija",
            "Campagne marketing",
            "Campagne de marketing",
        ),
        "phone": ("Phone", "Telefon", "Telefonas", "Téléphone", "Appel téléphonique"),
        "email": ("Email", "E-mail", "El. paštas", "Courriel"),
        "event": ("Event", "Eveniment", "Renginys", "Événement", "Salon"),
        "other": ("Other", "Altele", "Alta", "Kita", "Kitas", "Autre"),
    },
    "priority": {
        "low": ("Low", "Scăzută", "Scăzut", "Mică", "Redusă", "Žema", "Žemas", "Basse", "Faible"),
        "medium": ("Medium", "Medie", "Mediu", "Vidutinė", "Vidutinis", "Moyenne", "Normale"),
        "high": ("High", "Ridicată", "Ridicat", "Mare", "Înaltă", "Aukšta", "Aukštas", "Haute", "Élevée"),
    },
}


class ValueMatcher(Generic[K]):
    """Finds the key of the choice a file's value means; build once per import, call per row."""

    def __init__(
        self, choices: Mapping[str, K], vocabulary: Mapping[str, Iterable[str]] | None = None
    ) -> None:
        self._by_name: dict[str, K] = {}
        for name, key in choices.items():
            self._by_name.setdefault(header_key(name), key)
        meaning_of: dict[str, str] = {}
        for meaning, words in (vocabulary or {}).items():
            for word in words:
                meaning_of.setdefault(header_key(word), meaning)
        keys_by_meaning: dict[str, set[K]] = {}
        for name_key, key in self._by_name.items():
            if (meaning := meaning_of.get(name_key)) is not None:
                keys_by_meaning.setdefault(meaning, set()).add(key)
        self._by_word: dict[str, K] = {}
        for word, meaning in meaning_of.items():
            keys = keys_by_meaning.get(meaning, set())
            if len(keys) == 1:
                self._by_word[word] = next(iter(keys))

    def match(self, value: str) -> K | None:
        """The key of the choice ``value`` names or means; None if none (or blank)."""
        key = header_key(value)
        if not key:
            return None
        if key in self._by_name:
            return self._by_name[key]
        return self._by_word.get(key)


def names_matcher(names: Iterable[str], kind: str) -> ValueMatcher[str]:
    """A matcher over plain names of a list ("status", "source" or "priority") returning the name."""
    return ValueMatcher({name: name for name in names}, VOCABULARY.get(kind))
