"""Imports (admins and marketing): the template to download, upload → preview → map →
options → dry run or run, the imports list, one import's live progress, its row errors,
the failed rows as a file to fix, and revert."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from capture.admin.imports import detail, setup, views  # noqa: E402, F401 (register the routes on bp)

# The upload checks its CSRF token itself, after raising the request size limit for the
# file: the app-wide check would read the body under the submissions' 64 KB limit first.
bp.record_once(lambda state: state.app.extensions["csrf"].exempt(views.upload))

__all__ = ["bp"]
