"""Text no database can hold — a NUL (PostgreSQL refuses it) or a lone UTF-16
surrogate (``"\\ud800"`` in JSON; no driver can encode it) — is refused with a
422 naming the field, before any view runs, instead of failing in the
database as a 500. The same rule as the public endpoints
(``crm_core.text.storable``)."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from capture.api import problems
from crm_core.text.storable import is_storable, marked

MESSAGE = "Text may not contain NUL characters or lone surrogates."
MAX_DEPTH = 32


def refuse_unstorable_text() -> Response | None:
    errors: dict[str, list[str]] = {}
    for name, values in request.args.lists():
        if not is_storable(name) or not all(is_storable(v) for v in values):
            errors[marked(name)] = [MESSAGE]
    if request.mimetype and request.is_json and request.content_length:
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            return problems.problem(400, "The JSON body is nested too deeply.", type_=problems.MALFORMED)
        depth_error = _walk(body, "", errors, 0)
        if depth_error:
            return problems.problem(
                400, f"The JSON body is nested more than {MAX_DEPTH} levels deep.", type_=problems.MALFORMED
            )
    return problems.validation_problem(errors) if errors else None


def _walk(value: Any, path: str, errors: dict[str, list[str]], depth: int) -> bool:
    """Collects fields with unstorable text; ``True`` when too deep."""
    if depth > MAX_DEPTH:
        return True
    if isinstance(value, str):
        if not is_storable(value):
            errors[marked(path) or "_schema"] = [MESSAGE]
        return False
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if not is_storable(str(key)):
                errors[marked(here)] = [MESSAGE]
            elif _walk(item, here, errors, depth + 1):
                return True
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if _walk(item, f"{path}.{index}" if path else str(index), errors, depth + 1):
                return True
    return False
