"""Which addresses a webhook may reach (the SSRF guard's rules). A receiver
is somewhere on the public internet: loopback, private, link-local,
multicast, reserved and shared addresses are refused, whatever name leads to
them, unless the ``WEBHOOK_ALLOWED_TARGETS`` allow-list names the network or
the host (on-premises receivers). Cloud metadata addresses are refused even
then. The transport applies these rules to the address it connects to
(``transport.py``); saving an endpoint applies them early, for a clear
message."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list[tuple[Any, ...]]]

# Instance metadata services (AWS, GCP, Azure, OpenStack; AWS over IPv6; Alibaba; ECS task
# credentials; Oracle): credentials live there, so no allow-list entry opens them.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2", "192.0.0.192")
)


class TargetRefused(Exception):
    """The URL's host is, or resolves to, an address webhooks may not reach.
    Not an ``OSError``, so the HTTP library passes it through untouched."""


def _kind(address: IPAddress) -> str | None:
    """Why an address is not a public one, or ``None`` when it is."""
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_private:
        return "a private address"
    if address.is_reserved or not address.is_global:
        return "a reserved address"
    return None


def _embedded(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped, 6to4 or Teredo IPv6 address."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if inner is not None:
            return inner
    return address


@dataclass(frozen=True)
class TargetPolicy:
    networks: tuple[Network, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, text: str) -> TargetPolicy:
        """``"127.0.0.1/32, 10.1.0.0/16, erp.internal"``: networks and host names."""
        networks: list[Network] = []
        hosts: set[str] = set()
        for item in (part.strip() for part in text.replace(";", ",").split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
                continue
            except ValueError:
                pass
            name = item.lower().rstrip(".")
            if not name or "/" in name or ":" in name or " " in name:
                raise ValueError(
                    f"WEBHOOK_ALLOWED_TARGETS: {item!r} is neither a network (10.0.0.0/8) nor a host name."
                )
            hosts.add(name)
        return cls(tuple(networks), frozenset(hosts))

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why ``host`` (at ``address``) may not be reached, or ``None``."""
        address = ipaddress.ip_address(address)
        inner = _embedded(address)
        shown = f"{host} is {address}" if host != str(address) else str(address)
        if address in METADATA_ADDRESSES or inner in METADATA_ADDRESSES:
            return f"{shown}, a cloud metadata address"
        if host.lower().rstrip(".") in self.hosts or any(
            address in net or inner in net for net in self.networks if net.version in (4, 6)
        ):
            return None
        kind = (_kind(inner) if inner != address else None) or _kind(address)
        if kind is None:
            return None
        return f"{shown}, {kind}; webhooks only go to public addresses (see WEBHOOK_ALLOWED_TARGETS)"

    def resolve(self, host: str, port: int, resolver: Resolver = socket.getaddrinfo) -> list[IPAddress]:
        """Every address ``host`` resolves to, refusing the lot if any one is
        refused (a name that mixes a public and an internal address is a trick)."""
        infos = resolver(host, port, 0, socket.SOCK_STREAM)
        addresses: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise TargetRefused(f"{host} does not resolve to any address")
        for address in addresses:
            if (reason := self.refusal(host, address)) is not None:
                raise TargetRefused(reason)
        return addresses


def url_problem(url: str, policy: TargetPolicy, resolver: Resolver = socket.getaddrinfo) -> str | None:
    """Why an endpoint URL cannot be saved, in plain words (``None`` when fine).
    A name that does not resolve now is accepted: the transport checks again
    at every connection."""
    if len(url) > 2000:
        return "The URL is longer than 2,000 characters."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme not in ("http", "https"):
        return "The URL must start with https:// (or http://)."
    if not parts.hostname:
        return "The URL has no host name."
    if parts.username or parts.password:
        return "Put no user name or password in the URL; receivers verify the signature instead."
    if parts.fragment:
        return "The URL must not contain a #fragment."
    host = parts.hostname
    try:
        policy.resolve(host, port or (443 if parts.scheme == "https" else 80), resolver)
    except TargetRefused as exc:
        return f"Refused: {exc}."
    except (OSError, UnicodeError):
        return None
    return None
