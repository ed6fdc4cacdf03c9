"""The prospect fields an import can fill, and what their columns are called in en / ro / lt / fr.

The first name in each language is the template's header; the others are what real exports
call the column (the SmartCRM, Hanna CRM and Bitrix24 screens in the seeds, Excel habits).
Matching ignores case, accents, punctuation and spacing (``headers.header_key``), so
"Cod poștal", "COD POSTAL" and "Cod_Postal" are one name. No name may belong to two
fields; a test holds that.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGUAGES = ("en", "ro", "lt", "fr")


@dataclass(frozen=True)
class ImportField:
    key: str  # the Prospect attribute (status / source / priority / owner are matched by name)
    names: dict[str, tuple[str, ...]]  # language → header names, the template's first
    example: dict[str, str]  # language → the template's example value
    required: bool = False

    def header(self, language: str) -> str:
        return self.names.get(language, self.names["en"])[0]


def _field(
    key: str, names: dict[str, tuple[str, ...]], example: dict[str, str], required: bool = False
) -> ImportField:
    return ImportField(key, names, example, required)


PROSPECT_FIELDS: tuple[ImportField, ...] = (
    _field(
        "name",
        {
            "en": ("Name", "Full name", "Prospect", "Prospect name", "Lead", "Lead name", "Contact name"),
            "ro": ("Nume", "Nume complet", "Nume prospect", "Numele", "Denumire", "Prospect"),
            "lt": ("Vardas", "Vardas pavardė", "Vardas ir pavardė", "Pavadinimas", "Kliento pavadinimas"),
            "fr": ("Nom", "Nom complet", "Nom du prospect", "Nom et prénom", "Prénom et nom"),
        },
        {"en": "Jane Smith", "ro": "Ștefan Țăranu", "lt": "Rūta Šimkutė", "fr": "Hélène Dupré"},
        required=True,
    ),
    _field(
        "company",
        {
            "en": ("Company", "Company name", "Organisation", "Organization", "Account", "Business name"),
            "ro": ("Companie", "Compania", "Firmă", "Firma", "Societate", "Denumire firmă", "Nume companie"),
            "lt": ("Įmonė", "Įmonės pavadinimas", "Organizacija", "Bendrovė"),
            "fr": ("Société", "Entreprise", "Raison sociale", "Nom de l'entreprise", "Nom de la société"),
        },
        {
            "en": "Smith Trading Ltd",
            "ro": "Agro Câmpia SRL",
            "lt": "UAB Ąžuolų ūkis",
            "fr": "Cœur & Fils SARL",
        },
    ),
    _field(
        "trade_register_no",
        {
            "en": ("Trade register no.", "Trade register number", "Trade registry number", "Company number"),
            "ro": (
                "Nr. Reg. Com.",
                "Număr Registrul Comerțului",
                "Numărul de înregistrare în Registrul Comerțului",
                "Registrul Comerțului",
                "Reg. Com.",
                "Nr. Registrul Comerțului",
            ),
            "lt": ("Registro numeris", "Registro Nr.", "Juridinių asmenų registro numeris"),
            "fr": ("Numéro RCS", "RCS", "N° RCS", "Registre du commerce"),
        },
        {"en": "12345678", "ro": "J40/1234/2020", "lt": "123456789", "fr": "RCS Paris 552 120 222"},
    ),
    _field(
        "registration_code",
        {
            "en": (
                "Registration code",
                "Tax ID",
                "VAT number",
                "VAT ID",
                "Company code",
                "Registration code (tax ID)",
            ),
            "ro": ("Cod Unic de Înregistrare", "CUI", "CIF", "Cod fiscal", "Cod de înregistrare fiscală"),
            "lt": ("Įmonės kodas", "PVM mokėtojo kodas", "PVM kodas", "Juridinio asmens kodas"),
            "fr": (
                "SIREN",
                "SIRET",
                "Numéro SIREN",
                "Numéro SIRET",
                "Numéro de TVA",
                "N° TVA intracommunautaire",
            ),
        },
        {"en": "GB123456789", "ro": "RO12345678", "lt": "302345678", "fr": "552120222"},
    ),
    _field(
        "address",
        {
            "en": ("Address", "Street address", "Street"),
            "ro": ("Adresă", "Adresa", "Stradă", "Adresa completă"),
            "lt": ("Adresas", "Gatvė"),
            "fr": ("Adresse", "Rue", "Adresse postale"),
        },
        {
            "en": "12 High Street",
            "ro": "Str. Florilor 5, ap. 2",
            "lt": "Laisvės al. 10",
            "fr": "3 rue de la Paix",
        },
    ),
    _field(
        "postal_code",
        {
            "en": ("Postal code", "Postcode", "ZIP", "ZIP code"),
            "ro": ("Cod poștal",),
            "lt": ("Pašto kodas",),
            "fr": ("Code postal", "CP"),
        },
        {"en": "SW1A 1AA", "ro": "810001", "lt": "LT-44280", "fr": "75002"},
    ),
    _field(
        "city",
        {
            "en": ("City", "Town", "Locality"),
            "ro": ("Localitate", "Localitatea", "Oraș", "Municipiu"),
            "lt": ("Miestas", "Gyvenvietė"),
            "fr": ("Ville", "Commune", "Localité"),
        },
        {"en": "London", "ro": "Brăila", "lt": "Kaunas", "fr": "Besançon"},
    ),
    _field(
        "county",
        {
            "en": ("County", "Region", "State", "Province"),
            "ro": ("Județ", "Județul"),
            "lt": ("Apskritis", "Rajonas", "Savivaldybė"),
            "fr": ("Département", "Région"),
        },
        {"en": "Greater London", "ro": "Brăila", "lt": "Kauno apskritis", "fr": "Doubs"},
    ),
    _field(
        "country",
        {
            "en": ("Country",),
            "ro": ("Țară", "Țara"),
            "lt": ("Šalis", "Valstybė"),
            "fr": ("Pays",),
        },
        {"en": "United Kingdom", "ro": "România", "lt": "Lietuva", "fr": "France"},
    ),
    _field(
        "phone",
        {
            "en": ("Phone", "Telephone", "Phone number", "Mobile", "Mobile phone", "Tel"),
            "ro": ("Telefon", "Număr de telefon", "Numărul de telefon", "Nr. telefon", "Mobil"),
            "lt": ("Telefonas", "Telefono numeris", "Tel. nr.", "Mobilusis telefonas", "Mob. tel."),
            "fr": ("Téléphone", "Numéro de téléphone", "Portable", "Tél", "Tél."),
        },
        {"en": "020 7946 0000", "ro": "0722 123 456", "lt": "8 612 34567", "fr": "06 12 34 56 78"},
    ),
    _field(
        "email",
        {
            "en": ("Email", "E-mail", "Email address", "Mail"),
            "ro": ("Email", "Adresă de email", "Adresa de e-mail", "Adresă email"),
            "lt": ("El. paštas", "El. pašto adresas", "Elektroninis paštas", "E. paštas"),
            "fr": ("E-mail", "Courriel", "Adresse e-mail", "Adresse électronique", "Adresse mail"),
        },
        {
            "en": "jane.smith@example.com",
            "ro": "stefan.taranu@example.ro",
            "lt": "ruta.simkute@example.lt",
            "fr": "helene.dupre@example.fr",
        },
    ),
    _field(
        "description",
        {
            "en": ("Description", "Notes", "Comments", "Details"),
            "ro": ("Descriere", "Observații", "Detalii", "Mențiuni", "Note"),
            "lt": ("Aprašymas", "Pastabos", "Komentaras", "Komentarai"),
            "fr": ("Description", "Commentaire", "Commentaires", "Remarques"),
        },
        {
            "en": "Met at the spring fair.",
            "ro": "Întâlnit la târgul de primăvară.",
            "lt": "Susitikome pavasario mugėje.",
            "fr": "Rencontrée au salon de printemps.",
        },
    ),
    _field(
        "status",
        {
            "en": ("Status", "Lead status", "Stage"),
            "ro": ("Status", "Statusul", "Stare", "Starea"),
            "lt": ("Būsena", "Statusas"),
            "fr": ("Statut", "État", "Étape"),
        },
        {},
    ),
    _field(
        "source",
        {
            "en": ("Source", "Lead source", "Origin", "Channel"),
            "ro": ("Sursa", "Sursă", "Proveniență"),
            "lt": ("Šaltinis",),
            "fr": ("Source", "Origine", "Provenance"),
        },
        {},
    ),
    _field(
        "priority",
        {
            "en": ("Priority",),
            "ro": ("Prioritate", "Prioritatea"),
            "lt": ("Prioritetas", "Svarba"),
            "fr": ("Priorité",),
        },
        {},
    ),
    _field(
        "owner",
        {
            "en": ("Owner", "Responsible", "Assigned to", "Sales rep", "Account manager"),
            "ro": ("Responsabil", "Responsabilul", "Proprietar", "Agent", "Alocat"),
            "lt": ("Atsakingas", "Atsakingas asmuo", "Vadybininkas", "Savininkas"),
            "fr": ("Responsable", "Propriétaire", "Commercial", "Attribué à"),
        },
        {},
    ),
)
FIELDS_BY_KEY = {field.key: field for field in PROSPECT_FIELDS}
