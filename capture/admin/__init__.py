"""Admin pages for signed-in staff."""

from capture.admin.views import bp

__all__ = ["bp"]
