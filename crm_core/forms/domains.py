"""Allowed web domains of a form and the Origin check against them.

Matching is by parsed parts, never by substring: ``example.com`` allows
``https://example.com`` and ``http://example.com`` on their default ports; a
``*.example.com`` entry allows any subdomain (not the bare domain); an entry
may pin a port (``localhost:5000``) or a scheme (``https://shop.example.com``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidDomain(ValueError):
    pass


@dataclass(frozen=True)
class DomainRule:
    host: str  # lower-case, punycode; without the "*." of a wildcard
    wildcard: bool
    scheme: str | None
    port: int | None

    def __str__(self) -> str:
        text = ("*." if self.wildcard else "") + self.host
        if self.port is not None:
            text += f":{self.port}"
        return f"{self.scheme}://{text}" if self.scheme else text

    def allows(self, scheme: str, host: str, port: int) -> bool:
        if self.scheme is not None and scheme != self.scheme:
            return False
        if self.port is None:
            if port != _DEFAULT_PORTS[scheme]:
                return False
        elif port != self.port:
            return False
        if self.wildcard:
            return host.endswith("." + self.host)
        return host == self.host


def _clean_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidDomain(f"“{host}” is not a valid host name.") from exc
    labels = host.split(".")
    if not host or not all(_LABEL.match(label) for label in labels):
        raise InvalidDomain(f"“{host}” is not a valid host name.")
    return host


@lru_cache(maxsize=4096)
def parse_rule(entry: str) -> DomainRule:
    """Read one allowed-domain entry as an admin typed it."""
    text = entry.strip()
    if not text:
        raise InvalidDomain("Empty domain.")
    scheme: str | None = None
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme not in _DEFAULT_PORTS:
            raise InvalidDomain(f"“{entry}”: only http and https are allowed.")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
            raise InvalidDomain(f"“{entry}”: give a domain, not a page address.")
        scheme, text = parts.scheme, parts.netloc
    if any(ch in text for ch in "/?#@ "):
        raise InvalidDomain(f"“{entry}”: give a domain such as example.com or *.example.com.")
    port: int | None = None
    host = text
    if ":" in text:
        host, _, port_text = text.rpartition(":")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise InvalidDomain(f"“{entry}”: the port must be a number from 1 to 65535.")
        port = int(port_text)
    wildcard = host.startswith("*.")
    if wildcard:
        host = host[2:]
    if "*" in host:
        raise InvalidDomain(f"“{entry}”: a wildcard is only allowed as a leading “*.”.")
    host = _clean_host(host)
    if wildcard and "." not in host:
        raise InvalidDomain(f"“{entry}”: a wildcard needs a domain with a dot, such as *.example.com.")
    return DomainRule(host=host, wildcard=wildcard, scheme=scheme, port=port)


def normalize_domains(entries: list[str]) -> list[str]:
    """Validate and de-duplicate; raises InvalidDomain naming the first bad entry."""
    seen: dict[str, None] = {}
    for entry in entries:
        if entry.strip():
            seen[str(parse_rule(entry))] = None
    return list(seen)


def parse_origin(origin: str | None) -> tuple[str, str, int] | None:
    """Split a browser Origin (or a Referer, whose path is ignored) into parts;
    ``None`` for anything that is not a plain http(s) origin, such as "null"."""
    if not origin or origin == "null":
        return None
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    return parts.scheme, parts.hostname.rstrip(".").lower(), port or _DEFAULT_PORTS[parts.scheme]


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
    parsed = parse_origin(origin)
    if parsed is None:
        return False
    rules = []
    for entry in allowed:
        try:
            rules.append(parse_rule(entry))
        except InvalidDomain:
            continue
    return any(rule.allows(*parsed) for rule in rules)


def origin_of(url: str) -> str | None:
    parsed = parse_origin(url)
    if parsed is None:
        return None
    scheme, host, port = parsed
    suffix = "" if port == _DEFAULT_PORTS[scheme] else f":{port}"
    return f"{scheme}://{host}{suffix}"
