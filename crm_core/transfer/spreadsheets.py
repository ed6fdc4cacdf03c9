"""Reading XLSX (openpyxl, read-only mode) and legacy XLS (xlrd) as rows of text.

Every cell becomes the text a person would type to get it back: whole numbers without
".0" (a phone or registration code saved as a number stays "722123456"), dates as ISO
dates, booleans as TRUE / FALSE, formulas as their last computed value. Only the first
worksheet is read (the template's second sheet lists allowed values). XLSX shared strings
go to a temporary file (``shared_strings``), so memory stays flat for big workbooks.
"""

from __future__ import annotations

import datetime
import io
import os
import warnings
import zipfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from decimal import Decimal
from xml.etree.ElementTree import ParseError

import xlrd
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from crm_core.transfer.limits import FileRefused
from crm_core.transfer.shared_strings import SpooledExcelReader

# defusedxml (a dependency) makes openpyxl refuse entity expansion ("billion laughs").
_XML_ERRORS: tuple[type[Exception], ...] = (ParseError, ValueError)
try:
    from defusedxml import DefusedXmlException

    _XML_ERRORS = (*_XML_ERRORS, DefusedXmlException)
except ImportError:  # pragma: no cover - defusedxml is a declared dependency
    pass


def cell_text(value: object) -> str:
    """A cell value as text: ``722123456.0`` → ``"722123456"``, a date → ``"2024-05-01"``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, int | Decimal | datetime.date | datetime.time | datetime.timedelta):
        return str(value)
    return str(value)


def xlsx_records(path: str | os.PathLike[str]) -> Generator[tuple[int, list[str]]]:
    """Every row of the first worksheet with its 1-based number, streamed (read-only mode)."""
    with _first_sheet(path) as sheet:
        # The <dimension> a file declares can be wrong (some writers say A1); read to the end.
        sheet.reset_dimensions()
        number = 0
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [cell_text(value) for value in values]
        except (*_XML_ERRORS, KeyError, IndexError, zipfile.BadZipFile, OSError) as err:
            raise FileRefused(
                f"Row {number + 1:,} of the workbook cannot be read: {_xlsx_reason(err)}."
            ) from None


def xlsx_declared_rows(path: str | os.PathLike[str]) -> int | None:
    """The last row number the sheet's <dimension> declares: an estimate, cheap to get."""
    with _first_sheet(path) as sheet:
        return sheet.max_row


@contextmanager
def _first_sheet(path: str | os.PathLike[str]) -> Iterator[ReadOnlyWorksheet]:
    # openpyxl leaves its zip open when loading fails: open (and always close) the file here.
    with open(path, "rb") as file:
        reader = SpooledExcelReader(file, read_only=True, keep_vba=False, data_only=True, keep_links=False)
        try:
            try:
                # Workbooks from other programs make openpyxl warn (missing default style,
                # unsupported extensions); the data reads fine, so those warnings are noise here.
                with warnings.catch_warnings(action="ignore", category=UserWarning):
                    reader.read()
            except (
                *_XML_ERRORS,
                InvalidFileException,
                KeyError,
                zipfile.BadZipFile,
                OSError,
                TypeError,
            ) as err:
                raise FileRefused(f"The XLSX workbook cannot be read: {_xlsx_reason(err)}.") from None
            workbook = reader.wb
            try:
                if not workbook.worksheets:
                    raise FileRefused("The workbook has no worksheet.")
                yield workbook.worksheets[0]
            finally:
                workbook.close()
        finally:
            reader.close()


def xls_records(path: str | os.PathLike[str]) -> Generator[tuple[int, list[str]]]:
    """Every row of the first worksheet of a legacy XLS file.

    xlrd reads the whole file into memory; an XLS sheet holds at most 65,536 rows and the
    file is under the size limit, so that stays bounded.
    """
    try:
        book = xlrd.open_workbook(path, on_demand=True, logfile=io.StringIO())
    except xlrd.XLRDError as err:
        raise FileRefused(_xls_error(path, str(err))) from None
    except (xlrd.compdoc.CompDocError, AssertionError, IndexError, ValueError, KeyError, OSError) as err:
        raise FileRefused(f"The XLS file cannot be read ({_why(err)}).") from None
    try:
        try:
            sheet = book.sheet_by_index(0)
        except (xlrd.XLRDError, IndexError, AssertionError, ValueError, KeyError) as err:
            raise FileRefused(f"The XLS file cannot be read ({_why(err)}).") from None
        for index in range(sheet.nrows):
            cells = zip(sheet.row_types(index), sheet.row_values(index), strict=True)
            yield index + 1, [_xls_text(kind, value, book.datemode) for kind, value in cells]
    finally:
        book.release_resources()


def _xls_text(kind: int, value: object, datemode: int) -> str:
    if kind == xlrd.XL_CELL_DATE:
        try:
            return cell_text(xlrd.xldate_as_datetime(float(value), datemode))  # type: ignore[arg-type]
        except (xlrd.xldate.XLDateError, ValueError, OverflowError):
            return cell_text(value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return cell_text(bool(value))
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERROR")  # type: ignore[arg-type]
    return cell_text(value)


_PROTECTED = "The workbook is password-protected; remove the password and upload it again."
# The stream name a password-protected XLSX carries inside its OLE2 wrapper (UTF-16 LE).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _xls_error(path: str | os.PathLike[str], message: str) -> str:
    if "encrypted" in message.lower():
        return _PROTECTED
    if "Can't find workbook" in message:
        with open(path, "rb") as file:
            if _ENCRYPTED_PACKAGE in file.read():
                return _PROTECTED
        # An OLE2 container without a workbook: a Word .doc, an Outlook .msg…
        return "This is an Office document but not an Excel workbook; upload a CSV, XLSX or XLS file."
    return f"The XLS file cannot be read ({message})."


def _xlsx_reason(err: BaseException) -> str:
    """Plain words for what openpyxl raised (its own messages name server paths and internals)."""
    cause: BaseException | None = err
    while cause is not None:
        if type(cause).__module__.startswith("defusedxml"):
            return "it uses XML entity declarations, which are refused for safety"
        cause = cause.__cause__ or cause.__context__
    return "its content is damaged or is not a spreadsheet"


def _why(err: Exception) -> str:
    text = str(err).strip()
    return text[:200] if text else type(err).__name__
