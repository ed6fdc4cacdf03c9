"""``leadcapture worker [--processes N] [--burst]``: RQ workers draining the queue."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys

from capture.cli import environment
from capture.cli.processes import raise_keyboard_interrupt
from crm_core.settings import WORKER_NEEDS


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    worker = sub.add_parser("worker", help="run RQ workers against REDIS_URL / DATABASE_URL")
    worker.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    worker.add_argument("--processes", type=int, default=1)
    worker.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = environment.settings(needs=WORKER_NEEDS)
    if args.processes > 1:
        children = [
            subprocess.Popen(
                [sys.executable, "-m", "capture.cli", "worker", *(["--burst"] if args.burst else [])]
            )
            for _ in range(args.processes)
        ]
        signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
        try:
            return max(child.wait() for child in children)
        except KeyboardInterrupt:
            for child in children:
                child.send_signal(signal.SIGTERM)
            return max(child.wait() for child in children)
    from worker.workers import run_worker

    run_worker(settings, burst=args.burst)
    return 0
