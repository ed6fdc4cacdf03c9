"""Built-in texts visitors see from the server, in each form language."""

from __future__ import annotations

LANGUAGES = ("en", "ro", "lt", "fr")

_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "required": "This field is required.",
        "email": "Enter a valid email address.",
        "phone": "Enter a valid phone number.",
        "too_long": "At most {n} characters.",
        "one_line": "Line breaks are not allowed here.",
        "choice": "Choose one of the options.",
        "checked": "Please tick this box.",
        "unknown": "This field is not part of the form.",
        "invalid": "Please correct the highlighted fields.",
        "untypable": "This contains characters that cannot be typed or read as text. Please type it again.",
        "more_unknown": "Other fields not part of the form: {n}.",
        "thanks": "Thank you! We will be in touch.",
    },
    "ro": {
        "required": "Acest câmp este obligatoriu.",
        "email": "Introduceți o adresă de email validă.",
        "phone": "Introduceți un număr de telefon valid.",
        "too_long": "Cel mult {n} caractere.",
        "one_line": "Aici nu sunt permise rânduri noi.",
        "choice": "Alegeți una dintre opțiuni.",
        "checked": "Bifați această căsuță.",
        "unknown": "Acest câmp nu face parte din formular.",
        "invalid": "Corectați câmpurile marcate.",
        "untypable": "Conține caractere care nu pot fi tastate sau citite ca text. Tastați din nou.",
        "more_unknown": "Alte câmpuri care nu fac parte din formular: {n}.",
        "thanks": "Vă mulțumim! Vă vom contacta în curând.",
    },
    "lt": {
        "required": "Šis laukas privalomas.",
        "email": "Įveskite teisingą el. pašto adresą.",
        "phone": "Įveskite teisingą telefono numerį.",
        "too_long": "Ne daugiau kaip {n} simbolių.",
        "one_line": "Čia negalima naujų eilučių.",
        "choice": "Pasirinkite vieną iš variantų.",
        "checked": "Pažymėkite šį langelį.",
        "unknown": "Šio lauko formoje nėra.",
        "invalid": "Pataisykite pažymėtus laukus.",
        "untypable": "Čia yra simbolių, kurių negalima įvesti ar perskaityti kaip teksto. Įveskite iš naujo.",
        "more_unknown": "Kiti laukai, kurių formoje nėra: {n}.",
        "thanks": "Ačiū! Netrukus susisieksime.",
    },
    "fr": {
        "required": "Ce champ est obligatoire.",
        "email": "Saisissez une adresse e-mail valide.",
        "phone": "Saisissez un numéro de téléphone valide.",
        "too_long": "{n} caractères au maximum.",
        "one_line": "Les retours à la ligne ne sont pas autorisés ici.",
        "choice": "Choisissez l’une des options.",
        "checked": "Veuillez cocher cette case.",
        "unknown": "Ce champ ne fait pas partie du formulaire.",
        "invalid": "Veuillez corriger les champs indiqués.",
        "untypable": "Ce texte contient des caractères qui ne peuvent être ni saisis ni lus. Veuillez le saisir à nouveau.",
        "more_unknown": "Autres champs ne faisant pas partie du formulaire : {n}.",
        "thanks": "Merci ! Nous vous recontacterons bientôt.",
    },
}


def text(language: str, key: str, **params: object) -> str:
    message = _TEXTS.get(language, _TEXTS["en"]).get(key) or _TEXTS["en"][key]
    return message.format(**params) if params else message
