"""Import and export files: reading uploaded CSV / XLSX / XLS, writing CSV / XLSX, matching
column headers and list values in en / ro / lt / fr, and the import template.

Pure Python on purpose (no Flask, no RQ, no database): the import job, the admin preview and
the export views all stream through these functions, so memory stays flat whatever the size
of the file, and the engine can be tested on files alone.
"""
