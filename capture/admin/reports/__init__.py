"""Reports: six read-only views of the pipeline, each with a date range, the
list filters that apply, a chart, its table and the table as CSV."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from capture.admin.reports import views  # noqa: E402, F401 (register the routes on bp)

__all__ = ["bp"]
