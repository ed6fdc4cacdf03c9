"""One flask-smorest blueprint per resource, its operations grouped under its
tag in the docs; and the ``<id:…>`` URL converter for record ids, which stops
at the database's integer range (a larger number is simply not found, never
an overflow in the database)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def id_parameter_schema(_converter: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


class Resource(Blueprint):
    def __init__(self, name: str, import_name: str, *, tag: str, description: str, **kwargs: Any) -> None:
        super().__init__(name, import_name, description=description, **kwargs)
        self.tag = tag

    def route(
        self, rule: str, *, parameters: list[Any] | None = None, tags: list[str] | None = None, **options: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return super().route(rule, parameters=parameters, tags=tags or [self.tag], **options)
