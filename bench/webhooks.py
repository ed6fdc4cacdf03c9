"""Webhook delivery benchmark: one ``leadcapture worker`` process posting
signed deliveries to a local receiver (loopback, allowed by
WEBHOOK_ALLOWED_TARGETS).

  (a) throughput: N prospect.created events committed first, then the worker
      starts; deliveries per second from the first request to the last;
  (b) latency: the worker running, events committed one at a time at a steady
      rate (each commit wakes the dispatcher, as the web app's do); time from
      the commit to the receiver's arrival, p50 / p95 / max.

    python bench/webhooks.py                  # 2,000 events, 200 for latency, SQLite and PostgreSQL
    python bench/webhooks.py --quick          # smoke size (< 60 s), SQLite
    python bench/webhooks.py --database postgres
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import figures
import processes
import services


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.count = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.arrivals.setdefault(self.headers["webhook-id"], time.time())
                    receiver.count += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.port = services.free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, n: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.arrivals) < n:
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"only {len(self.arrivals)} of {n} deliveries arrived within {timeout:.0f} s"
                )
            time.sleep(0.01)


def setup(database_url: str, url: str) -> Any:
    from sqlalchemy import select

    from crm_core.db import make_engine, make_session_factory, transaction
    from crm_core.models import Role, User
    from crm_core.webhooks.secret_box import SecretBox
    from crm_core.webhooks.services import create_endpoint
    from crm_core.webhooks.targets import TargetPolicy

    factory = make_session_factory(make_engine(database_url))
    with transaction(factory) as session:
        admin = User(email="bench@example.com", name="Bench", role=Role.ADMIN, password_hash="!")  # noqa: S106 (no sign-in)
        session.add(admin)
        session.flush()
        create_endpoint(
            session, SecretBox(services.SECRET), TargetPolicy.parse("127.0.0.1/32"), admin,
            {"url": url, "events": ["prospect.created"], "active": True},
        )  # fmt: skip
        admin_id = session.scalar(select(User.id))
    return factory, admin_id


def record(factory: Any, admin_id: int, name: str) -> tuple[str, float]:
    from sqlalchemy import select

    from crm_core.db import transaction
    from crm_core.events.models import OutboxEvent
    from crm_core.models import User
    from crm_core.prospects.services import create_prospect

    with transaction(factory) as session:
        prospect = create_prospect(session, session.get(User, admin_id), {"name": name})
        assert prospect.id
        event_id = session.scalar(select(OutboxEvent.event_id).order_by(OutboxEvent.id.desc()).limit(1))
    return str(event_id), time.time()


def run(kind: str, events: int, latency_events: int, rate: float) -> None:
    from redis import Redis

    from crm_core.events.wakeup import on_events_committed
    from worker.enqueueing import wake_dispatcher

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        with (
            services.embedded_redis(tmp / "redis") as redis_url,
            services.database(kind, tmp, "bench_hooks") as db,
        ):
            receiver = Receiver()
            factory, admin_id = setup(db, f"http://127.0.0.1:{receiver.port}/hook")
            for n in range(events):  # committed before any worker runs: nobody is woken
                record(factory, admin_id, f"Lead {n}")
            env = services.capture_env(db, redis_url, WEBHOOK_ALLOWED_TARGETS="127.0.0.1/32")
            log = tmp / "worker.log"
            redis = Redis.from_url(redis_url)
            wake_dispatcher(redis)
            started = time.time()
            with processes.child(
                [str(Path(sys.executable).parent / "leadcapture"), "worker"], env, log
            ) as worker:
                receiver.wait_for(events, 600)
                first, last = min(receiver.arrivals.values()), max(receiver.arrivals.values())
                throughput = events / max(last - first, 1e-6)
                cpu = figures.process_cpu(worker.pid, with_children=True)
                print(f"[{kind}] throughput: {events} deliveries in {last - first:.1f} s = {throughput:.0f}/s "
                      f"(first after {first - started:.1f} s; worker CPU {cpu:.1f} s; {receiver.count} requests)")  # fmt: skip
                on_events_committed(factory, lambda: wake_dispatcher(redis))
                committed: dict[str, float] = {}
                for n in range(latency_events):
                    event_id, at = record(factory, admin_id, f"Latency {n}")
                    committed[event_id] = at
                    time.sleep(1 / rate)
                receiver.wait_for(events + latency_events, 120)
            delays = [(receiver.arrivals[e] - at) * 1000 for e, at in committed.items()]
            print(
                f"[{kind}] commit → delivery at {rate:.0f} events/s: p50 {figures.percentile(delays, 50):.0f} ms, "
                f"p95 {figures.percentile(delays, 95):.0f} ms, max {max(delays):.0f} ms ({latency_events} events)"
            )
            receiver.server.shutdown()
            redis.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default=None)
    args = parser.parse_args()
    figures.stop_cleanly_on_sigterm()
    figures.print_machine("Webhook delivery")
    events, latency, rate = (100, 30, 20.0) if args.quick else (2000, 200, 20.0)
    kinds = {"sqlite": ["sqlite"], "postgres": ["postgres"], "both": ["sqlite", "postgres"]}[
        args.database or ("sqlite" if args.quick else "both")
    ]
    for kind in kinds:
        run(kind, events, latency, rate)


if __name__ == "__main__":
    main()
