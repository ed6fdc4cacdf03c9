"""The running instance's settings, for views: ``settings()`` and the time zone
that "today", "overdue" and week starts are counted in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import current_app

from crm_core.settings import Settings


def settings() -> Settings:
    return current_app.config["LC_SETTINGS"]


def zone() -> ZoneInfo:
    return settings().zone
