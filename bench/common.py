"""Shared pieces of the intake, drain and end-to-end benchmarks: the machine
description, throw-away Redis and databases, the bench form, child processes
(gunicorn, workers), wrk runs and a fixed-rate (open-loop) HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
# A PostgreSQL login allowed to CREATE DATABASE; each run makes its own database and drops it.
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+psycopg://leadcapture:leadcapture@127.0.0.1:5432/postgres"
)
ORIGIN = "https://example.com"
HUGE_LIMIT = "100000000/60"
SECRET = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105 - a throw-away server

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- reporting ----------------------------------------------------------------


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return {
        "date": datetime.date.today().isoformat(),
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "load average": load,
    }


def stop_cleanly_on_sigterm() -> None:
    """Turn SIGTERM (and SIGINT, ignored in background jobs) into SystemExit, so
    servers, workers, Redis and the throw-away database are still cleaned up."""

    def leave(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)


def print_machine(title: str) -> None:
    stop_cleanly_on_sigterm()
    info = machine()
    print(f"# {title}")
    print(f"{info['date']} · nproc {info['nproc']} · {info['cpu']} · load average {info['load average']}")


@dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        return cls(statistics.median(values), min(values), max(values))

    def show(self, digits: int = 0, unit: str = "") -> str:
        if self.low == self.high:
            return f"{self.median:.{digits}f}{unit}"
        return f"{self.median:.{digits}f}{unit} ({self.low:.{digits}f}-{self.high:.{digits}f})"


def ratio(a: Sequence[float], b: Sequence[float]) -> Spread:
    """Ratio of two medians, with the spread of the per-run ratios (runs are paired)."""
    per_run = [x / y for x, y in zip(a, b, strict=False) if y]
    median = statistics.median(a) / statistics.median(b)
    return Spread(median, min(per_run, default=median), max(per_run, default=median))


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [list(map(str, headers))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()


def cpu_ticks() -> tuple[int, int]:
    """(all, idle) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values), values[3] + values[4]


def busy_cores(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How many cores were busy (any process, ours or not) between two ``cpu_ticks()``."""
    total, idle = after[0] - before[0], after[1] - before[1]
    return (1 - idle / total) * (os.cpu_count() or 1) if total else 0.0


def process_cpu(pid: int, with_children: bool = False) -> float:
    """CPU seconds used by ``pid``; with its live children and reaped descendants
    (a gunicorn master and its workers, including workers already recycled)."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(stat: Path) -> list[str]:
        return stat.read_text().rsplit(")", 1)[1].split()  # from field 3 (state) on

    own = fields(Path(f"/proc/{pid}/stat"))
    counted = own[11:15] if with_children else own[11:13]  # utime stime [cutime cstime]
    total = sum(int(v) for v in counted)
    if with_children:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = fields(entry / "stat")
                if int(stat[1]) == pid:
                    total += int(stat[11]) + int(stat[12])
    return total / tick


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


# --- services -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    from capture.embedded_redis import EmbeddedRedis

    server = EmbeddedRedis(data_dir).start()
    try:
        yield server.url
    finally:
        server.stop()


@contextlib.contextmanager
def database(kind: str, tmp: Path, name: str) -> Iterator[str]:
    """A migrated, empty database with the default lookups: a SQLite file under
    ``tmp``, or a PostgreSQL database created for this run and dropped after."""
    from sqlalchemy import create_engine, text

    if kind == "sqlite":
        url = f"sqlite:///{tmp / (name + '.db')}"
        _prepare(url)
        yield url
        return
    db_name = f"{name}_{os.getpid()}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}"'))
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + db_name
    try:
        _prepare(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


def _prepare(url: str) -> None:
    from crm_core.db import make_engine, make_session_factory, transaction
    from crm_core.lookups import ensure_default_lookups
    from crm_core.migrate import upgrade

    upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        ensure_default_lookups(session)
    engine.dispose()


FORM_CONFIG: dict[str, Any] = {
    "name": "Bench form",
    "name_prefix": "[Web]",
    "allowed_domains": ["example.com"],
    "success_message": "Thanks, we'll call you.",
    "fields": [
        {"name": "name", "label": "Name", "required": True},
        {"name": "email", "label": "Email", "required": True},
        {"name": "phone", "label": "Phone"},
        {"name": "company", "label": "Company"},
        {"name": "description", "label": "Message"},
    ],
}


def create_form(database_url: str, redis_url: str) -> dict[str, Any]:
    """The bench form (as ``tests/conftest.py::form_config``), published to the cache."""
    from redis import Redis

    from capture.form_cache import publish
    from crm_core.db import make_engine, make_session_factory, transaction
    from crm_core.forms import create_form as create
    from crm_core.forms import form_definition

    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        definition = form_definition(create(session, FORM_CONFIG))
    engine.dispose()
    connection = Redis.from_url(redis_url)
    publish(connection, definition)
    connection.close()
    return definition


def visitor_data(n: int) -> dict[str, str]:
    """What the snippet posts for one visitor (the wrk script sends the same fields)."""
    return {
        "name": f"Ana Popescu {n}",
        "email": f"ana.{n}@example.com",
        "phone": "+40 721 000 000",
        "company": "Exemplu SRL",
        "description": "Please call me about the offer.",
        "_lc_id": str(uuid.uuid4()),
        "_lc_page": "https://example.com/contact",
    }


def form_body(n: int) -> tuple[str, str]:
    """A url-encoded submission body and its ``_lc_id``."""
    data = visitor_data(n)
    return urlencode(data), data["_lc_id"]


def build_payloads(definition: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """Valid job payloads, exactly as the submit endpoint builds them."""
    from capture.public.intake import build_submission
    from crm_core.submissions import compile_validator

    validator = compile_validator(definition["fields"], definition["language"])
    return [build_submission(definition, validator, visitor_data(n)).payload for n in range(count)]


def capture_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """Production settings with limits out of the way of the load generator."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET,
        "LEADCAPTURE_ENV": "production",
        "RATE_LIMIT_PER_IP": HUGE_LIMIT,
        "RATE_LIMIT_PER_FORM": HUGE_LIMIT,
        "RATE_LIMIT_GLOBAL": HUGE_LIMIT,
        "REQUIRE_RENDER_TOKEN": "0",
        "SPAM_MIN_SECONDS": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
    }
    env.update(extra)
    return env


# --- child processes ----------------------------------------------------------


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


# --- wrk ------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers plus socket errors
    cpu_ms: float = 0.0  # server CPU per request (filled in by the caller)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def warm_up(url: str, seconds: float) -> None:
    """Load a freshly started server briefly (its workers import and connect lazily); no figures."""
    script = BENCH / "wrk" / "post.lua"
    command = ["wrk", "-t2", "-c16", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script), url]
    subprocess.run(command, capture_output=True, check=False)


def run_wrk(url: str, connections: int, seconds: float, threads: int = 2) -> WrkResult:
    script = BENCH / "wrk" / "post.lua"
    command = [
        "wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds:g}s",
        "--latency", "--timeout", "10s", "-s", str(script), url,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    if "99" not in latency:
        raise RuntimeError(f"wrk measured nothing against {url}:\n{out}")
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return WrkResult(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=requests,
        errors=errors,
    )


# --- a fixed-rate (open-loop) HTTP/1.1 client ---------------------------------


@dataclass
class Sample:
    scheduled: float  # when the request was due (time.time())
    sent: float
    done: float
    status: int
    body: bytes


@dataclass
class OpenLoopResult:
    samples: list[Sample] = field(default_factory=list)
    failures: int = 0
    client_cpu: float = 0.0  # seconds of this process's CPU spent by the client

    def latencies_ms(self) -> list[float]:
        """From the moment each request was due, so a stalled server cannot hide
        its queueing delay (no coordinated omission, as wrk2 measures)."""
        return [(s.done - s.scheduled) * 1000 for s in self.samples]


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def _exchange(
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
) -> tuple[int, bytes]:
    reader, writer = conn
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return status, body


async def _open_loop(
    port: int, make_request: Callable[[int], bytes], rate: float, seconds: float, connections: int
) -> OpenLoopResult:
    result = OpenLoopResult()
    idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None] = asyncio.Queue()
    for _ in range(connections):
        idle.put_nowait(None)  # opened on first use
    total = int(rate * seconds)
    start = time.time() + 0.05
    tasks: set[asyncio.Task[None]] = set()

    async def one(n: int, due: float) -> None:
        conn = await idle.get()
        request = make_request(n)
        sent = time.time()
        for attempt in range(2):  # a keep-alive connection the server closed: reconnect once
            try:
                if conn is None:
                    conn = await _connect(port)
                status, body = await _exchange(conn, request)
                result.samples.append(Sample(due, sent, time.time(), status, body))
                break
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                if conn is not None:
                    conn[1].close()
                conn = None
                if attempt:
                    result.failures += 1
        idle.put_nowait(conn)

    for n in range(total):
        due = start + n / rate
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(n, due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)
    while not idle.empty():
        conn = idle.get_nowait()
        if conn is not None:
            conn[1].close()
    return result


def open_loop(
    port: int,
    make_request: Callable[[int], bytes],
    rate: float,
    seconds: float,
    connections: int = 64,
) -> OpenLoopResult:
    """Send ``rate`` requests per second for ``seconds`` on up to ``connections``
    keep-alive connections, each request at its due time whatever the answers do."""
    cpu = time.process_time()
    result = asyncio.run(_open_loop(port, make_request, rate, seconds, connections))
    result.client_cpu = time.process_time() - cpu
    return result


def post_request(port: int, path: str, body: str) -> bytes:
    encoded = body.encode()
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {ORIGIN}\r\n"
        "Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(encoded)}\r\n\r\n"
    ).encode() + encoded


def accepted_id(sample: Sample) -> str | None:
    if sample.status != 202:
        return None
    with contextlib.suppress(ValueError):
        return json.loads(sample.body).get("id")
    return None
