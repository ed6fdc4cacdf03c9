"""An XLSX shared-strings table kept on disk, so a big workbook reads in flat memory.

Excel and LibreOffice store each distinct text of a workbook once, in
``xl/sharedStrings.xml``, and cells point at it by index. openpyxl loads that table into
a Python list even in read-only mode (and keeps every parsed ``<si>`` element on the XML
tree while it does): a 100,000-row lead list with unique emails, phones and codes holds
~400,000 strings, ~80 MB; a million rows would need ~800 MB, past the worker's 300 MB.
Here the texts go to a temporary file as UTF-8, and memory keeps only one 8-byte offset
per string (plus a small cache for the values that repeat: statuses, cities).

``SpooledExcelReader`` is openpyxl's own reader with just this table swapped in; cells
fetch their text with ``table[index]`` as before.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from typing import IO

from openpyxl.cell.text import Text
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse  # defusedxml's when installed

_STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
_CACHE_SIZE = 4096


class SpooledStrings:
    """The shared strings of one workbook, in a temporary file; ``close()`` deletes it."""

    def __init__(self, source: IO[bytes]) -> None:
        # Lives as long as the table: close() deletes it.
        self._file = tempfile.TemporaryFile(prefix="xlsx-strings-")  # noqa: SIM115
        self._offsets = array("Q", [0])
        self._cache: dict[int, str] = {}
        try:
            self._spool(source)
        except BaseException:
            self._file.close()
            raise

    def _spool(self, source: IO[bytes]) -> None:
        root = None
        end = 0
        buffer: list[bytes] = []
        buffered = 0
        for event, node in iterparse(source, events=("start", "end")):
            if root is None:
                root = node
            if event != "end" or node.tag != _STRING_TAG:
                continue
            # As openpyxl does: runs joined, phonetic hints left out, its "_x005F_" escape undone.
            data = Text.from_tree(node).content.replace("x005F_", "").encode("utf-8")
            root.clear()  # parsed <si> elements would otherwise pile up on the tree
            end += len(data)
            self._offsets.append(end)
            buffer.append(data)
            buffered += len(data)
            if buffered > 1024 * 1024:
                self._file.write(b"".join(buffer))
                buffer, buffered = [], 0
        self._file.write(b"".join(buffer))
        self._file.flush()

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        if (text := self._cache.get(index)) is not None:
            return text
        start, stop = self._offsets[index], self._offsets[index + 1]
        text = os.pread(self._file.fileno(), stop - start, start).decode("utf-8")
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[index] = text
        return text

    def close(self) -> None:
        self._file.close()


class SpooledExcelReader(ExcelReader):
    """openpyxl's ``ExcelReader`` with the shared strings spooled to disk."""

    def read_strings(self) -> None:
        manifest = self.package.find(SHARED_STRINGS)
        if manifest is not None:
            with self.archive.open(manifest.PartName[1:]) as source:
                self.shared_strings = SpooledStrings(source)

    def close(self) -> None:
        if isinstance(self.shared_strings, SpooledStrings):
            self.shared_strings.close()
