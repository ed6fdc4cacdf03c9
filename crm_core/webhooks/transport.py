"""Posting a delivery without becoming an SSRF proxy: urllib3 with a
connection class that resolves the host itself, checks every address against
the ``TargetPolicy`` and connects to the checked address — the TLS handshake
still names (and verifies) the host — so a name that resolves to a public
address when saved and to 127.0.0.1 when sent (DNS rebinding) is refused at
the connection. No redirects are followed, no proxy from the environment is
used, and only the first ``max_body`` bytes of an answer are read."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from urllib3 import HTTPConnectionPool, HTTPSConnectionPool, PoolManager, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3Error

from crm_core.clock import now
from crm_core.webhooks.targets import Resolver, TargetPolicy, TargetRefused

TIMEOUT = 15.0
MAX_BODY = 64 * 1024
EXCERPT = 1000


@dataclass(frozen=True)
class Answer:
    """What one attempt got: an HTTP status, or an error before any."""

    status: int | None
    duration_ms: int
    excerpt: str = ""
    error: str = ""
    retry_after: int | None = None
    refused: bool = False  # the guard refused the address: no request was sent


class _Guarded:
    policy: TargetPolicy
    resolver: Resolver

    def _new_conn(self) -> socket.socket:  # type: ignore[misc]
        conn: Any = self
        addresses = self.policy.resolve(conn.host, conn.port, self.resolver)
        last: OSError | None = None
        for address in addresses:
            family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                if isinstance(conn.timeout, int | float):  # else urllib3's "default" sentinel
                    sock.settimeout(conn.timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.connect((str(address), conn.port))
                return sock
            except OSError as exc:
                sock.close()
                last = exc
        assert last is not None
        raise last


def _pool_manager(policy: TargetPolicy, resolver: Resolver) -> PoolManager:
    class Connection(_Guarded, HTTPConnection):
        pass

    class SecureConnection(_Guarded, HTTPSConnection):
        pass

    Connection.policy = SecureConnection.policy = policy
    Connection.resolver = SecureConnection.resolver = staticmethod(resolver)  # type: ignore[assignment]

    class Pool(HTTPConnectionPool):
        ConnectionCls = Connection

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = SecureConnection

    manager = PoolManager(num_pools=50, maxsize=2, retries=False)
    manager.pool_classes_by_scheme = {"http": Pool, "https": SecurePool}  # type: ignore[assignment]
    return manager


def retry_after_seconds(value: str | None) -> int | None:
    """``Retry-After``: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0, int((moment - now()).total_seconds()))


class WebhookTransport:
    def __init__(
        self,
        policy: TargetPolicy,
        *,
        timeout: float = TIMEOUT,
        max_body: int = MAX_BODY,
        resolver: Resolver = socket.getaddrinfo,
    ):
        self._manager = _pool_manager(policy, resolver)
        self._timeout = timeout
        self._max_body = max_body

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        started = time.monotonic()

        def elapsed() -> int:
            return int((time.monotonic() - started) * 1000)

        try:
            response = self._manager.request(
                "POST",
                url,
                body=body,
                headers={"User-Agent": "Leadcapture-Webhooks/1", **headers},
                redirect=False,
                retries=False,
                timeout=Timeout(connect=self._timeout, read=self._timeout),
                preload_content=False,
            )
        except TargetRefused as exc:
            return Answer(None, elapsed(), error=f"refused: {exc}", refused=True)
        except (Urllib3Error, OSError) as exc:
            return Answer(None, elapsed(), error=_network_error(exc))
        chunks: list[bytes] = []
        complete = False
        try:
            size = 0
            deadline = started + self._timeout
            while size < self._max_body and time.monotonic() < deadline:
                chunk = response.read(min(8192, self._max_body - size))
                if not chunk:
                    complete = True
                    break
                chunks.append(chunk)
                size += len(chunk)
        except (Urllib3Error, OSError):
            pass
        finally:
            if not complete:
                response.close()  # never drain an endless or huge answer: drop the connection
            response.release_conn()
        text = b"".join(chunks)[:EXCERPT].decode("utf-8", "replace")
        return Answer(
            response.status,
            elapsed(),
            excerpt=text,
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
        )


def _network_error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    if "timed out" in text.lower():
        return f"timed out after {TIMEOUT:.0f} s"
    return text[:300]
