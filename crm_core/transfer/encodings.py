"""Which text encoding an uploaded CSV file is in.

Real exports from Romanian, Lithuanian and French Excel come in six encodings: UTF-8 with
or without a byte-order mark, UTF-16 with a BOM ("Unicode text", usually tab-separated),
and the Windows code pages of each country: cp1250 (Romanian, with the cedilla letters
ş ţ because cp1250 has no comma-below ș ț), cp1257 (Lithuanian) and cp1252 (French).
General-purpose detectors get the code pages wrong on small files (charset-normalizer
reads cp1257 as cp1252 and cp1250 as iso8859_16 or cp1252, even when its candidates are
restricted: every byte decodes in every one of them and its language models cannot tell),
so the rule here is explicit:

1. A byte-order mark decides: UTF-8-SIG, UTF-16 or UTF-32.
2. The whole file decodes as strict UTF-8 → UTF-8 (multi-byte sequences almost never
   occur by chance in single-byte text, so this is reliable; pure ASCII lands here too).
3. Otherwise each of cp1250, cp1257 and cp1252 that decodes every byte scores the
   occurrences of the bytes that decode to letters of Romanian, Lithuanian or French (its
   best language). The right code page turns every such byte into a letter of the file's
   language; the wrong ones turn some into letters of no language here (Lithuanian ų ž in
   cp1252 become ø þ; French à œ in cp1250 become ŕ ś). On a tie, letter frequency decides:
   a file whose only accent is byte 0xFB is "Rūta" (ū is common in Lithuanian), not "Rûta"
   (û is rare in French). What is still tied reads the same in the tied code pages (only é,
   say); the uploader's language picks among them.
4. If letters outside ASCII outnumber ASCII letters, the file is not in a Latin-script
   language at all (Cyrillic, Greek…): charset-normalizer's unrestricted guess is used.

Files with NUL bytes or many control characters (and no UTF-16/32 BOM) are refused as
binary. The caller can always override the result: the preview shows the decoded rows
so a person sees a wrong guess at once.
"""

from __future__ import annotations

import codecs
import os
from collections import Counter

from charset_normalizer import from_bytes

from crm_core.transfer.limits import FileRefused

CODE_PAGES = ("cp1250", "cp1257", "cp1252")
# Which code page to prefer on a tie, by the uploader's language.
_PREFERRED = {"ro": "cp1250", "lt": "cp1257", "fr": "cp1252", "en": "cp1252"}
# How often each letter appears in the language's text, in % of letters (rounded figures
# from published letter counts; upper case shares the weight). Only their order matters:
# they break ties between code pages that turn the same bytes into letters of different
# languages, e.g. byte 0xFB is Lithuanian ū in cp1257 (common) and French û in cp1252 (rare).
_FREQUENCIES = {
    "ro": {"ă": 2.5, "â": 0.6, "î": 1.0, "ș": 1.3, "ş": 1.3, "ț": 1.0, "ţ": 1.0},
    "lt": {"ą": 0.6, "č": 0.4, "ę": 0.2, "ė": 1.5, "į": 0.6, "š": 1.2, "ų": 0.9, "ū": 0.5, "ž": 0.8},
    "fr": {
        "à": 0.5, "â": 0.03, "ç": 0.1, "é": 1.9, "è": 0.3, "ê": 0.2, "ë": 0.01, "î": 0.05,
        "ï": 0.01, "ô": 0.02, "œ": 0.01, "ù": 0.05, "û": 0.06, "ü": 0.01, "ÿ": 0.001,
    },
}  # fmt: skip
_LETTERS = {
    language: {**letters, **{letter.upper(): weight for letter, weight in letters.items()}}
    for language, letters in _FREQUENCIES.items()
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CHUNK = 1024 * 1024
_ASCII = bytes(range(128))
_NOT_ASCII_LETTER = bytes(b for b in range(256) if not (65 <= b <= 90 or 97 <= b <= 122))
_NOT_CONTROL = bytes(b for b in range(256) if not ((b < 32 and b not in (9, 10, 12, 13)) or b == 127))
_MAX_HIGH_BYTES = 4 * 1024 * 1024  # enough to score; stops a huge non-Latin file from costing seconds


def bom_encoding(head: bytes) -> str | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def detect_encoding(path: str | os.PathLike[str], language: str | None = None) -> str:
    """The Python codec name to read ``path`` with (see the module docstring for the rule)."""
    with open(path, "rb") as file:
        head = file.read(4)
        if name := bom_encoding(head):
            _refuse_binary_text(path, name)
            return name
        file.seek(0)
        utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        is_utf8 = True
        high: Counter[int] = Counter()
        high_total = ascii_letters = controls = size = 0
        first = b""
        while chunk := file.read(_CHUNK):
            if not first:
                first = chunk
            size += len(chunk)
            if b"\x00" in chunk:
                raise _binary()
            controls += len(chunk.translate(None, _NOT_CONTROL))
            ascii_letters += len(chunk.translate(None, _NOT_ASCII_LETTER))
            if is_utf8:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
            if high_total < _MAX_HIGH_BYTES:
                others = chunk.translate(None, _ASCII)
                high_total += len(others)
                high.update(others)
        if is_utf8:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    if controls > max(8, size // 1000):
        raise _binary()
    if is_utf8:
        return "utf-8"
    return _code_page(high, ascii_letters, first, language)


def _code_page(high: Counter[int], ascii_letters: int, sample: bytes, language: str | None) -> str:
    order = ["cp1252", "cp1250", "cp1257"]
    if preferred := _PREFERRED.get(language or ""):
        order.remove(preferred)
        order.insert(0, preferred)
    best: tuple[int, float, int] | None = None
    chosen = ""
    chosen_letters = 0
    for rank, code_page in enumerate(order):
        decoded = _decode_bytes(high, code_page)
        if decoded is None:
            continue
        count, weight = max(_language_score(decoded, letters) for letters in _LETTERS.values())
        score = (count, weight, -rank)
        if best is None or score > best:
            best, chosen = score, code_page
            chosen_letters = sum(n for ch, n in decoded if ch.isalpha())
    if best is not None and chosen_letters <= ascii_letters:
        return chosen
    guess = from_bytes(sample).best()
    if guess is None:
        raise FileRefused(
            "The file's text encoding could not be recognised; save it as CSV UTF-8 from Excel "
            "and upload it again."
        )
    return guess.encoding


def _language_score(decoded: list[tuple[str, int]], letters: dict[str, float]) -> tuple[int, float]:
    """How many of the bytes are letters of the language, then how typical those letters are."""
    count = sum(n for ch, n in decoded if ch in letters)
    return count, sum(n * letters[ch] for ch, n in decoded if ch in letters)


def _decode_bytes(high: Counter[int], code_page: str) -> list[tuple[str, int]] | None:
    """Each high byte's character and count in ``code_page``; None if a byte is undefined there."""
    try:
        return [(bytes([byte]).decode(code_page), n) for byte, n in high.items()]
    except UnicodeDecodeError:
        return None


def _refuse_binary_text(path: str | os.PathLike[str], encoding: str) -> None:
    with open(path, encoding=encoding, errors="replace", newline="") as file:
        text = file.read(64 * 1024)
    controls = sum(1 for ch in text if (ch < " " and ch not in "\t\n\r\f") or ch == "\x7f")
    if controls > max(8, len(text) // 1000) or text.count("\ufffd") > max(8, len(text) // 100):
        raise _binary()


def _binary() -> FileRefused:
    return FileRefused("This is not a text file (it has binary content). Upload a CSV, XLSX or XLS file.")
