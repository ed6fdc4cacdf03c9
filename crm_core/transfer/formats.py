"""Which kind of file an upload is, told from its first bytes rather than its name.

People rename files, and browsers send whatever extension the file had: an image renamed
``leads.csv`` or a zip bomb renamed ``leads.xlsx`` must be refused with a plain message
before any parser sees it. XLSX is a zip archive, legacy XLS an OLE2 compound document;
anything else is a candidate text (CSV) file, which ``encodings`` checks for binary content.
"""

from __future__ import annotations

import enum
import os
import zipfile
from pathlib import Path

from crm_core.transfer.limits import FileRefused, Limits, megabytes


class FileFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    XLS = "xls"


_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS = "save it as .xlsx or .csv and upload that"

# Well-known files people upload by mistake, so the message can name what they sent.
_NOT_SPREADSHEETS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"RIFF", "an image or media file"),
    (b"%PDF-", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"{\\rtf", "an RTF document"),
)
_MARKUP: tuple[tuple[bytes, str], ...] = (
    (b"<!doctype html", f"a web page (some programs save HTML tables under an .xls name); {_SAVE_AS}"),
    (b"<html", f"a web page (some programs save HTML tables under an .xls name); {_SAVE_AS}"),
    (b"<?xml", f"an XML file (perhaps an Excel 2003 XML spreadsheet); {_SAVE_AS}"),
)
_MAX_ZIP_MEMBERS = 10_000


def detect_format(path: str | os.PathLike[str], limits: Limits) -> FileFormat:
    """The file's format from its content; refuses empty, oversized and non-spreadsheet files."""
    size = Path(path).stat().st_size
    if size == 0:
        raise FileRefused("The file is empty.")
    if size > limits.max_bytes:
        raise FileRefused(
            f"The file is {megabytes(size)}; at most {megabytes(limits.max_bytes)} can be imported. "
            "Split it into smaller files."
        )
    with open(path, "rb") as file:
        head = file.read(64)
    if head.startswith(_ZIP):
        _check_workbook_zip(path, size, limits)
        return FileFormat.XLSX
    if head.startswith(_OLE2):
        return FileFormat.XLS
    for signature, what in _NOT_SPREADSHEETS:
        if head.startswith(signature):
            raise FileRefused(f"This is {what}, not a spreadsheet. Upload a CSV, XLSX or XLS file.")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for signature, what in _MARKUP:
        if start.startswith(signature):
            raise FileRefused(f"This is {what}.")
    return FileFormat.CSV


def _check_workbook_zip(path: str | os.PathLike[str], size: int, limits: Limits) -> None:
    """Refuse a zip that is not an Excel workbook, is encrypted, or would expand too much.

    Runs before openpyxl opens the file: the declared sizes in the central directory are
    what ``zipfile`` will let a member expand to, so checking them bounds the work openpyxl
    can be made to do.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise FileRefused(f"The file looks like an XLSX workbook but is damaged ({err}).") from None
    names = {member.filename for member in members}
    if "xl/workbook.xml" not in names:
        kind = _zip_kind(names)
        advice = _SAVE_AS if kind.startswith("an OpenDocument") else "upload a CSV, XLSX or XLS file"
        raise FileRefused(f"This is {kind}, not an Excel workbook; {advice}.")
    if len(members) > _MAX_ZIP_MEMBERS:
        raise FileRefused(f"The workbook has {len(members):,} parts; this is not a normal spreadsheet.")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise FileRefused("The workbook is password-protected; remove the password and upload it again.")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024 * 1024 and ratio > limits.max_zip_ratio:
            raise FileRefused(
                f"The workbook would expand {ratio:,.0f} times when opened (a 'zip bomb'); it was not read."
            )
    if total > limits.max_unzipped_bytes:
        raise FileRefused(
            f"The workbook would expand to {megabytes(total)} when opened, more than the "
            f"{megabytes(limits.max_unzipped_bytes)} allowed; it was not read."
        )
    if total > size * limits.max_zip_ratio:
        raise FileRefused(
            f"The workbook would expand {total / size:,.0f} times when opened (a 'zip bomb'); it was not read."
        )


def _zip_kind(names: set[str]) -> str:
    if "mimetype" in names and "content.xml" in names:
        return "an OpenDocument file (.ods)"
    if "xl/workbook.bin" in names:
        return "an Excel binary workbook (.xlsb)"
    if "word/document.xml" in names:
        return "a Word document"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    return "a zip archive"
