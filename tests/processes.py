"""Helpers for tests that run the product as real processes."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any


def wait_for(
    predicate: Callable[[], Any], timeout: float, interval: float = 0.1, what: str = "condition"
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def http(
    url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None, opener: Any = None
) -> tuple[int, dict[str, str], str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def browser_session() -> Any:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def log_in(base_url: str, email: str, password: str) -> Any:
    opener = browser_session()
    _, _, page = http(f"{base_url}/admin/login", opener=opener)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "login page has no CSRF token"
    status, _, _ = http(
        f"{base_url}/admin/login",
        {"email": email, "password": password, "csrf_token": token.group(1)},
        opener=opener,
    )
    assert status == 200, status
    return opener


def stop_tree(process: subprocess.Popen[Any], sig: int = signal.SIGTERM, timeout: float = 20) -> int:
    """Signal a process started with ``start_new_session=True`` and all its children."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
    try:
        return process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


def port_open(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Terminal:
    """A pseudo-terminal like a newcomer's: a process started on it believes it
    writes to a person (so a library that colours its output for a terminal
    does so here), and everything it writes is kept, as text and in ``log``."""

    def __init__(self, log: Path):
        self.log = log
        self._master, self.slave = pty.openpty()
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        with self.log.open("wb") as sink:
            while True:
                try:
                    chunk = os.read(self._master, 65536)
                except OSError:  # EIO: every process holding the terminal has exited
                    return
                if not chunk:
                    return
                sink.write(chunk)
                sink.flush()
                with self._lock:
                    self._chunks.append(chunk)

    def started(self) -> None:
        """After the process is started: only it (and its children) hold the terminal now."""
        os.close(self.slave)

    def text(self) -> str:
        with self._lock:
            return b"".join(self._chunks).decode("utf-8", "replace").replace("\r\n", "\n")

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        return wait_for(lambda: re.search(pattern, self.text()), timeout, what=f"{pattern!r} on the terminal")

    def close(self) -> None:
        self._reader.join(10)
        with contextlib.suppress(OSError):
            os.close(self._master)
