"""Load generators: wrk runs with the bench Lua script, and a fixed-rate
(open-loop) HTTP/1.1 client that measures from each request's due time."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from services import BENCH, ORIGIN


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
