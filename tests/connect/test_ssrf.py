"""The SSRF guard: the transport resolves the host itself and connects only
to an address the policy allows — internal addresses are refused before any
packet is sent (a receiver listening on loopback proves nothing arrived),
also when a name resolves to one at send time although it did not at save
time (DNS rebinding)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from crm_core.webhooks.targets import TargetPolicy, url_problem
from crm_core.webhooks.transport import WebhookTransport
from tests.connect.conftest import Receiver

NO_EXCEPTIONS = TargetPolicy()


@pytest.fixture
def listening() -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 that must never be reached."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:{port}/hook", "loopback"),
        ("http://10.20.30.40/hook", "private"),
        ("http://192.168.1.10/hook", "private"),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[::1]:{port}/hook", "loopback"),
        ("http://[::ffff:127.0.0.1]:{port}/hook", "loopback"),
        ("http://localhost:{port}/hook", "loopback"),
        ("http://0.0.0.0:{port}/hook", "unspecified"),
        ("http://100.64.0.1/hook", "reserved"),
        ("http://224.0.0.251/hook", "multicast"),
    ],
)
def test_internal_addresses_are_refused_before_connecting(listening: Receiver, url: str, why: str) -> None:
    url = url.format(port=listening.port)
    answer = WebhookTransport(NO_EXCEPTIONS).post(url, b"{}", {})
    assert answer.refused and answer.status is None
    assert why in answer.error
    assert listening.requests == []
    assert why in (url_problem(url, NO_EXCEPTIONS) or "")


def test_a_name_rebound_to_loopback_after_saving_is_refused_at_connect_time(listening: Receiver) -> None:
    """The name resolved to a public address when the endpoint was saved; at
    send time it resolves to 127.0.0.1 — refused, nothing sent."""
    answers = iter([[("93.184.216.34", 80)], [("127.0.0.1", listening.port)]])

    def resolver(host: str, port: int, *_: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", address) for address in next(answers)]

    url = f"http://hooks.example.com:{listening.port}/hook"
    assert url_problem(url, NO_EXCEPTIONS, resolver) is None  # saved: looked public
    answer = WebhookTransport(NO_EXCEPTIONS, resolver=resolver).post(url, b"{}", {})
    assert answer.refused and "hooks.example.com is 127.0.0.1, a loopback address" in answer.error
    assert listening.requests == []


def test_a_name_with_one_internal_address_among_public_ones_is_refused(listening: Receiver) -> None:
    def resolver(host: str, port: int, *_: Any) -> list[tuple[Any, ...]]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    answer = WebhookTransport(NO_EXCEPTIONS, resolver=resolver).post(
        f"http://mixed.example.com:{listening.port}/", b"{}", {}
    )
    assert answer.refused and listening.requests == []


def test_the_allow_list_opens_a_network_and_the_connection_keeps_the_host_name(listening: Receiver) -> None:
    """Allowed: the checked address is the one connected to, and the request
    still names the host (as TLS would, for SNI and the certificate)."""

    def resolver(host: str, port: int, *_: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    transport = WebhookTransport(TargetPolicy.parse("127.0.0.1/32"), resolver=resolver)
    answer = transport.post(f"http://erp.example.com:{listening.port}/hook", b"{}", {})
    assert answer.status == 200 and not answer.refused
    assert listening.requests[0].headers["host"] == f"erp.example.com:{listening.port}"


def test_metadata_addresses_stay_refused_whatever_the_allow_list() -> None:
    everything = TargetPolicy.parse("0.0.0.0/0, ::/0")
    answer = WebhookTransport(everything).post("http://169.254.169.254/latest/", b"{}", {})
    assert answer.refused and "cloud metadata" in answer.error


def test_a_redirect_to_an_internal_address_is_not_followed(listening: Receiver) -> None:
    front = Receiver(answers=[(307, {"Location": f"http://127.0.0.1:{listening.port}/hook"}, b"")]).start()
    try:
        transport = WebhookTransport(TargetPolicy.parse("127.0.0.1/32"))
        answer = transport.post(front.url, b"{}", {})
    finally:
        front.stop()
    assert answer.status == 307
    assert len(front.requests) == 1 and listening.requests == []


def test_only_the_first_bytes_of_an_answer_are_read(listening: Receiver) -> None:
    listening.answers = [(200, {}, b"x" * 2_000_000)]
    answer = WebhookTransport(TargetPolicy.parse("127.0.0.1/32"), max_body=64 * 1024).post(
        listening.url, b"{}", {}
    )
    assert answer.status == 200 and len(answer.excerpt) == 1000


def test_saving_refuses_what_the_transport_would_refuse_in_plain_words() -> None:
    assert (
        url_problem("ftp://example.com/", NO_EXCEPTIONS) == "The URL must start with https:// (or http://)."
    )
    assert "user name or password" in (url_problem("https://u:p@example.com/", NO_EXCEPTIONS) or "")
    assert "private address" in (url_problem("https://10.0.0.5/hook", NO_EXCEPTIONS) or "")
    assert url_problem("https://10.0.0.5/hook", TargetPolicy.parse("10.0.0.0/8")) is None
