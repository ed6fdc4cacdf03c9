"""What the accounts and offers lists share: the page size a URL asks for,
and the list's own URL for a filter and a cursor."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import request, url_for

from crm_core.paging import MAX_PAGE_SIZE, PAGE_SIZE
from crm_core.text.fields import flatten_errors


def page_size() -> int:
    raw = request.args.get("limit", "")
    return max(10, min(int(raw), MAX_PAGE_SIZE)) if raw.isdigit() else PAGE_SIZE


def list_url(endpoint: str, flt: Any, **extra: str) -> str:
    """``flt`` (a filter with ``to_query``) as a link to ``endpoint``, keeping the page size."""
    limit = request.args.get("limit", "")
    query = flt.to_query(**extra, **({"limit": limit} if limit.isdigit() else {}))
    return url_for(endpoint) + (f"?{query}" if query else "")


def sorted_by(flt: Any, key: str, newest_first: tuple[str, ...] = ("created",)) -> Any:
    """The same filter sorted by ``key``; sorted by it already, the other way round."""
    if flt.sort.lstrip("-") == key:
        return replace(flt, sort=key if flt.sort.startswith("-") else f"-{key}")
    return replace(flt, sort=f"-{key}" if key in newest_first else key)


def list_links(endpoint: str, flt: Any) -> dict[str, Any]:
    """The template helpers of a list page: ``list_url(flt, after=…)`` and ``sort_url(key)``."""
    return {
        "list_url": lambda f, **extra: list_url(endpoint, f, **extra),
        "sort_url": lambda key: list_url(endpoint, sorted_by(flt, key)),
        "filter_errors": filter_errors(flt),
    }


def filter_errors(flt: Any) -> dict[str, list[str]]:
    """The values the filter ignored, by filter name ("status", not "status.0")."""
    errors: dict[str, list[str]] = {}
    for key, messages in flatten_errors(flt.errors).items():
        errors.setdefault(key.split(".")[0], []).extend(messages)
    return errors
