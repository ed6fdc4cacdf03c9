"""Import and export: bringing lead lists in from CSV / XLSX / XLS and taking lists out.

Two layers. The file engine (``reading``, ``formats``, ``encodings``, ``csv_files``,
``spreadsheets``, ``shared_strings``, ``writing``, ``template``; names in en / ro / lt / fr
in ``fields``, ``headers``, ``values``) is pure Python with no database: it streams through
files in constant memory and is tested on files alone. Around it, the records and rules of
an import or an export (``models``, ``schemas``, ``mapping``, ``duplicates``,
``importing`` — the job's body —, ``exporting``, ``services``, ``queries``, ``storage``),
which go through the prospect services like any other change. No Flask, no RQ.

Imports are of prospects; ``Import.kind`` and the field lists passed to ``headers`` and
``template`` are the seam for accounts and contacts, whose mapping and batch writer are
not built yet.
"""
