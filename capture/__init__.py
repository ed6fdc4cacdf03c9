"""The Leadcapture web service: public embed + submission endpoints and admin pages."""

from capture.app import create_app

__all__ = ["create_app"]
