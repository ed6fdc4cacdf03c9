"""Real processes to kill and restart in the fault-injection tests: a private
PostgreSQL server, worker processes, and counting what landed."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from capture.embedded_redis import free_port
from tests.availability import missing

BIN = Path(sys.executable).parent


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster owned by the ``postgres`` user (it refuses
    to run as root), so a test can stop and start it without touching others."""

    def __init__(self) -> None:
        bin_dir = _pg_bin()
        if bin_dir is None or shutil.which("runuser") is None or os.geteuid() != 0:
            missing("needs Debian's postgresql package and root to run a private cluster")
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="lc-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        self._as_postgres(self.bin / "initdb", "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres")

    def _as_postgres(self, *args: Any) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *map(str, args)], check=True, capture_output=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._as_postgres(
            self.bin / "pg_ctl", "-D", self.dir / "data", "-l", self.dir / "log", "-w", "-t", "60",
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._as_postgres(self.bin / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url(name)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``leadcapture worker`` as production runs it, in its own process group so
    the test can kill the whole tree (worker + its scheduler process)."""
    with log.open("ab") as handle:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(BIN / "leadcapture"), "worker"],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until(predicate: Any, timeout: float, interval: float = 0.5) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
