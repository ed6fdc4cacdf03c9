"""Realistic rows from Romanian, Lithuanian and French lead lists, and a file writer.

Romanian comes in two spellings: files saved in cp1250 carry the cedilla letters ş ţ (the
code page has no ș ț), while UTF-8 files usually have the comma-below ones, and some mix
both. The reader must store each exactly as the file has it.
"""

from __future__ import annotations

import codecs
from pathlib import Path

ROMANIAN_CEDILLA = [
    ["Nume", "Companie", "Adresă", "Localitate", "Judeţ", "Telefon", "Descriere"],
    [
        "Ştefan Ţăranu",
        "Agro Câmpia SRL",
        "Str. Mihai Viteazu 5, ap. 2",
        "Brăila",
        "Brăila",
        "0722 123 456",
        "Interesat de oferta de toamnă; sună-l marţi, după ora 10",
    ],
    [
        "Ana-Maria Ionescu",
        "Îngrijire Ştiinţifică SA",
        "Bd. Unirii 10",
        "Iaşi",
        "Iaşi",
        "0744 555 111",
        "Prima întâlnire:\nla târgul din Bucureşti",
    ],
    [
        "Raluca Bălănescu",
        "Pâine şi Ţuică SRL",
        "Calea Moşilor 7",
        "Târgu Mureş",
        "Mureş",
        "",
        "Fără telefon; scrie-i pe Messenger",
    ],
]
ROMANIAN_COMMA = [
    [cell.replace("ş", "ș").replace("Ş", "Ș").replace("ţ", "ț").replace("Ţ", "Ț") for cell in row]
    for row in ROMANIAN_CEDILLA
]
LITHUANIAN = [
    ["Vardas", "Įmonės pavadinimas", "Įmonės kodas", "Miestas", "Telefonas", "El. paštas", "Pastabos"],
    [
        "Rūta Šimkutė",
        "UAB Ąžuolų ūkis",
        "302345678",
        "Šiauliai",
        "+370 612 34567",
        "ruta@azuolu.lt",
        "Skambinti ketvirtadienį; domisi kaina, ne pristatymu",
    ],
    [
        "Jonas Petraitis",
        "Žalgirio prekyba",
        "123456789",
        "Kaunas",
        "8 612 34567",
        "jonas@zalgiris.lt",
        "Susitikome mugėje\nGrįžta po atostogų",
    ],
    ["Gintarė Žemaitytė", "Vilniaus įrankiai", "304567890", "Vilnius", "8 5 212 3456", "", "Ėjo pro šalį"],
]
FRENCH = [
    ["Nom", "Société", "Adresse", "Ville", "Téléphone", "E-mail", "Commentaire"],
    [
        "Hélène Dupré",
        "Cœur & Fils SARL",
        "3 rue de la Paix",
        "Besançon",
        "06 12 34 56 78",
        "helene@coeur.fr",
        "Très intéressée; rappeler à 14h, après la réunion",
    ],
    [
        "François Lefèvre",
        "Père Noël SA",
        "12, boulevard Gambetta",
        "Orléans",
        "02 38 00 00 00",
        "",
        "Déjà cliente\nà relancer en août",
    ],
    [
        "Zoé Mercier",
        "Boulangerie Ça Va",
        "Place de l'Église",
        "Évry",
        "01 60 00 00 00",
        "zoe@cava.fr",
        "Noël: œufs",
    ],
]
# The code page Excel on a Romanian / Lithuanian / French Windows saves "CSV" in.
SAMPLES = {
    "ro": (ROMANIAN_CEDILLA, "cp1250"),
    "lt": (LITHUANIAN, "cp1257"),
    "fr": (FRENCH, "cp1252"),
}
BOMS = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}


def csv_text(rows: list[list[str]], delimiter: str = ";", line_end: str = "\r\n") -> str:
    """Rows quoted as Excel does: a cell with the delimiter, a quote or a line break is quoted.

    (``csv.writer`` leaves a cell with "\n" unquoted when the line end is "\r".)
    """

    def cell(value: str) -> str:
        if any(ch in value for ch in (delimiter, '"', "\r", "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(cell(value) for value in row) + line_end for row in rows)


def write_csv(
    path: Path, rows: list[list[str]], encoding: str, delimiter: str = ";", line_end: str = "\r\n"
) -> Path:
    """Rows as a CSV file in ``encoding``; ``utf-16-le`` / ``utf-16-be`` get their BOM like Excel's "Unicode text"."""
    text = csv_text(rows, delimiter, line_end)
    data = BOMS[encoding] + text.encode(encoding) if encoding in BOMS else text.encode(encoding)
    path.write_bytes(data)
    return path
