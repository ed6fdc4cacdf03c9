"""Child processes of the benchmarks (gunicorn, workers): started in their own
process group, stopped with the whole group."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from services import ROOT


@contextlib.contextmanager
def child(command: Sequence[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in its own process group, stopped (SIGTERM, then SIGKILL) on exit."""
    with log.open("ab") as out:
        process = subprocess.Popen(
            list(command), env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def gunicorn_command(app: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--config", "python:capture.gunicorn_conf", app]


def gunicorn_shape(env: dict[str, str]) -> str:
    """Workers x threads that ``capture.gunicorn_conf`` picks in ``env``."""
    workers = int(env.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1)))
    threads = int(env.get("GUNICORN_THREADS", 4))
    return f"{workers} workers x {threads} threads (gthread)"


def wait_http(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early; see {log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port} within {timeout:.0f}s; see {log}")
