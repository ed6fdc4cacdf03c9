"""Reading the task pages the way a person does: which tasks each group
shows, its total, the number beside "Tasks" in the navigation, the flashes."""

from __future__ import annotations

import html
import re

from tests.prospects.conftest import csrf_token

__all__ = ["csrf_token", "flashes", "group_totals", "groups", "nav_count"]

_SECTION = re.compile(r'<section class="card task-group[^"]*" id="group-(\w+)".*?</section>', re.S)
_NAME = re.compile(r'class="task-name"[^>]*>([^<]*)</a>')
_TOTAL = re.compile(r'class="badge group-total">(\d+)<')


def groups(page: str) -> dict[str, list[str]]:
    """{group key: task names as shown, in order}."""
    return {m[1]: [html.unescape(n) for n in _NAME.findall(m[0])] for m in _SECTION.finditer(page)}


def group_totals(page: str) -> dict[str, int]:
    return {m[1]: int(_TOTAL.search(m[0])[1]) for m in _SECTION.finditer(page)}  # type: ignore[index]


def nav_count(page: str) -> int:
    """The badge beside "Tasks" (0 when there is none)."""
    link = re.search(r'<a [^>]*id="nav-tasks">(.*?)</a>', page, re.S)
    assert link, "the navigation has a Tasks link"
    count = re.search(r'class="badge nav-count"[^>]*><span class="visually-hidden">\(</span>(\d+)<', link[1])
    return int(count[1]) if count else 0


def flashes(page: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash [^"]*" role="\w+">(.*?)</p>', page, re.S)]
