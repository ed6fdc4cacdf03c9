"""Allowed web domains of a form and the Origin check against them.

Matching is by parsed parts, never by substring: ``example.com`` allows
``https://example.com`` and ``http://example.com`` on their default ports; a
``*.example.com`` entry allows any subdomain (not the bare domain); an entry
may pin a port (``localhost:5000``) or a scheme (``https://shop.example.com``).

A host, in an entry or in a request's Origin, is read the way a browser
writes it: IDNA-normalised to lower-case punycode (``BÜCHER.example`` is
``xn--bcher-kva.example``), and then every label must be a DNS label (letters,
digits, inner hyphens, 1 to 63 characters; an ``xn--`` label must decode). A
host that is not (``a..example.com``, ``-a.example.com``, ``%65vil.example.com``,
a NUL or a space in it) never matches anything, so a wildcard matches whole
labels of real subdomains only. The codec is Python's own (IDNA 2003), as the
``idna`` package (UTS-46, what browsers use) is not a dependency; the two differ
only on ß, ς and the zero-width joiners, which are refused rather than mapped,
so an entry never silently means another site.

A trailing dot (``https://example.com.``) names the same host in DNS, so it
matches the same entries; the canonical origin keeps it, because a browser on
that page sends ``Origin: https://example.com.`` and compares the
``Access-Control-Allow-Origin`` answer with it byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from encodings.idna import nameprep
from functools import lru_cache
from urllib.parse import urlsplit

from crm_core.errors import InvalidDomain

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Mapped by IDNA 2003 (Python's codec: ß → ss), kept by UTS-46 (browsers): refused.
_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")
# Never in a URL a browser sends; urlsplit would quietly drop tabs and line breaks.
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")


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
            # Whole labels: both hosts are valid DNS names (no empty label), so
            # ending in "." + host means ending in the host's labels.
            return host.endswith("." + self.host)
        return host == self.host


def _is_a_label(label: str) -> bool:
    """An ``xn--`` label that decodes to a normalised, non-ASCII name, as an
    IDNA encoder writes it (and not punycode garbage that merely looks like one)."""
    try:
        name = label[4:].encode("ascii").decode("punycode")
        if name.isascii() or name.encode("punycode") != label[4:].encode("ascii"):
            return False
        if not all(ch.isalnum() or ch == "-" for ch in name if ch.isascii()):
            return False
        plain = "".join(ch for ch in name if ch not in _DEVIATIONS)
        return nameprep(plain) == plain
    except (UnicodeError, OverflowError):
        return False


def _ascii_host(host: str) -> str | None:
    """``host`` (without a trailing dot) as lower-case punycode, or ``None``
    when it is not a DNS name whose every label is valid."""
    if not host.isascii():
        if _DEVIATIONS.intersection(host):
            return None
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    host = host.lower()
    if len(host) > 253:
        return None
    for label in host.split("."):
        if not _LABEL.fullmatch(label) or (label.startswith("xn--") and not _is_a_label(label)):
            return None
    return host


def _clean_host(host: str) -> str:
    text = host.strip()
    text = text[:-1] if text.endswith(".") else text
    if _DEVIATIONS.intersection(text):
        raise InvalidDomain(
            f"“{host.strip()}”: browsers read ß, ς and zero-width joiners differently; "
            "enter the name's xn-- form instead."
        )
    cleaned = _ascii_host(text)
    if cleaned is None:
        raise InvalidDomain(f"“{host.strip()}” is not a valid host name.")
    return cleaned


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


@dataclass(frozen=True)
class Origin:
    scheme: str
    host: str  # lower-case punycode, without a trailing dot
    port: int
    trailing_dot: bool

    def __str__(self) -> str:
        """As a browser serialises it (what an Access-Control-Allow-Origin must repeat)."""
        port = "" if self.port == _DEFAULT_PORTS[self.scheme] else f":{self.port}"
        return f"{self.scheme}://{self.host}{'.' if self.trailing_dot else ''}{port}"


def _parse_url(url: str, *, origin_only: bool) -> Origin | None:
    if _UNSAFE.search(url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or "@" in parts.netloc or port == 0:
        return None
    if origin_only and (parts.path or "?" in url or "#" in url):
        return None
    host = parts.hostname
    if not host:
        return None
    trailing_dot = host.endswith(".")
    ascii_host = _ascii_host(host[:-1] if trailing_dot else host)
    if ascii_host is None:
        return None
    return Origin(parts.scheme, ascii_host, port or _DEFAULT_PORTS[parts.scheme], trailing_dot)


@lru_cache(maxsize=1024)
def parse_origin(origin: str | None) -> Origin | None:
    """A browser's Origin header as parts; ``None`` for anything that is not a
    plain http(s) origin with a valid host (``"null"``, a path, a malformed host)."""
    if not origin or origin == "null":
        return None
    return _parse_url(origin, origin_only=True)


def canonical_origin(origin: str | None) -> str | None:
    """The origin as a browser would have written it, or ``None`` when malformed."""
    parsed = parse_origin(origin)
    return None if parsed is None else str(parsed)


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
    return any(rule.allows(parsed.scheme, parsed.host, parsed.port) for rule in rules)


def origin_of(url: str) -> str | None:
    """The canonical origin of a page address (a Referer), or ``None``."""
    parsed = _parse_url(url, origin_only=False)
    return None if parsed is None else str(parsed)
