"""Public, embeddable routes: the snippet, form definitions, the standalone
form page and the submission endpoint."""

from capture.public.views import bp

__all__ = ["bp"]
