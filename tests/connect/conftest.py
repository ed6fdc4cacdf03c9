"""Real parts for webhooks and mail: an HTTP receiver on loopback that
verifies signatures with the README's example code and answers what the test
scripts (500 then 200, 410, a redirect…), a real SMTP server (aiosmtpd), and
an in-process worker that drains the outbound queue, promoting scheduled
retries as RQ's scheduler would."""

from __future__ import annotations

import email
import email.policy
import importlib.util
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from redis import Redis
from rq import Queue
from rq.scheduler import RQScheduler
from sqlalchemy.orm import Session, sessionmaker

from capture.embedded_redis import free_port
from crm_core.events.wakeup import on_events_committed
from crm_core.settings import Settings
from worker import outbound, runtime
from worker.enqueueing import wake_dispatcher
from worker.queues import MAINTENANCE, OUTBOUND
from worker.workers import LeadWorker

_spec = importlib.util.spec_from_file_location(
    "webhook_receiver", Path(__file__).parents[2] / "docs" / "webhook_receiver.py"
)
assert _spec and _spec.loader
receiver_example = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(receiver_example)


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    event: dict[str, Any] | None


@dataclass
class Receiver:
    """``answers``: statuses (or (status, headers, body)) used in turn; then 200."""

    port: int = field(default_factory=free_port)
    secret: str = ""
    answers: list[Any] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    slow: float = 0.0  # seconds each answer waits (after the request is recorded)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    event = receiver_example.verify(receiver.secret, headers, body)
                    verified = True
                except Exception:
                    event, verified = None, False
                with receiver._lock:
                    receiver.requests.append(Request(self.path, headers, body, verified, event))
                    answer = receiver.answers.pop(0) if receiver.answers else 200
                if receiver.slow:
                    time.sleep(receiver.slow)  # a slow receiver: the sender waits for this answer
                status, extra, text = answer if isinstance(answer, tuple) else (answer, {}, b"ok")
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def event_ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


class SmtpSink:
    """What the SMTP server received, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)  # type: ignore[arg-type]
        )
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@dataclass
class SmtpServer:
    sink: SmtpSink
    port: int
    controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(SmtpSink(), free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def connect_settings(settings: Settings, receiver: Receiver) -> Settings:
    """The test settings, the local receiver allowed, links to a public address."""
    return replace(
        settings, webhook_allowed_targets="127.0.0.1/32", public_base_url="https://leads.example.com"
    )


# The worker's after-commit wake-up, registered once per session factory (they
# live for the test session) and pointed at the current test's Redis.
_hooked: set[int] = set()
_wake: dict[str, Redis] = {}


def _hook(factory: sessionmaker[Session]) -> None:
    if id(factory) not in _hooked:
        _hooked.add(id(factory))
        on_events_committed(factory, lambda: wake_dispatcher(_wake["redis"]))


@pytest.fixture
def worker_outbound(
    connect_settings: Settings, database_url: str, redis: Redis, session_factory: sessionmaker[Session]
) -> Callable[..., outbound.Outbound]:
    """Configure this process as a worker would be (``run_worker``), optionally
    with SMTP; commits through the test's own session factory wake the
    dispatcher too, as the web app's do."""
    _wake["redis"] = redis
    _hook(session_factory)

    def configure(**overrides: Any) -> outbound.Outbound:
        _hook(runtime.configure(database_url))
        return outbound.configure(replace(connect_settings, **overrides))

    configure()
    return configure


@pytest.fixture
def pump(redis: Redis, worker_outbound: Any) -> Callable[..., None]:
    """Run the outbound and maintenance queues in this process until
    ``until()`` holds, promoting scheduled jobs when due (RQ's scheduler's job)."""

    def run(until: Callable[[], bool], timeout: float = 30.0) -> None:
        queues = [Queue(name, connection=redis, serializer="json") for name in (OUTBOUND, MAINTENANCE)]
        scheduler = RQScheduler([q.name for q in queues], connection=redis, serializer="json")
        scheduler.prepare_registries([q.name for q in queues])
        deadline = time.monotonic() + timeout
        while True:
            scheduler.enqueue_scheduled_jobs()
            LeadWorker(queues, connection=redis, serializer="json").work(
                burst=True, with_scheduler=False, logging_level="WARNING"
            )
            if until():
                return
            if time.monotonic() > deadline:
                raise AssertionError("condition not met within the timeout")
            time.sleep(0.1)

    return run
