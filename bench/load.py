"""Load generators: wrk runs with the bench Lua script, and a fixed-rate
(open-loop) HTTP/1.1 client that measures from each request's due time."""

from __future__ import annotations

import math
import os
import re
import resource
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from services import BENCH


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
    errors += _socket_errors(out)
    return WrkResult(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
        requests=requests,
        errors=errors,
    )


# --- a fixed-rate (open-loop) client: wrk with the same script -----------------


@dataclass
class Sample:
    scheduled: float  # when the request was due (time.time())
    sent: float
    done: float
    status: int
    client_key: str  # the _lc_id it posted


@dataclass
class OpenLoopResult:
    samples: list[Sample] = field(default_factory=list)
    failures: int = 0  # socket errors and timeouts
    unsent: int = 0  # due in the run but never sent: the client fell that far behind
    client_cpu: float = 0.0  # seconds of CPU spent by the load generator

    def latencies_ms(self) -> list[float]:
        """From the moment each request was due, so a stalled server cannot hide
        its queueing delay (no coordinated omission, as wrk2 measures); a request
        never sent counts as infinitely late."""
        return [(s.done - s.scheduled) * 1000 for s in self.samples] + [math.inf] * self.unsent


def open_loop(url: str, rate: float, seconds: float, connections: int = 256) -> OpenLoopResult:
    """Send ``rate`` requests per second for ``seconds`` over ``connections``
    keep-alive connections, each request at its due time whatever the answers
    do (``bench/wrk/post.lua`` with LC_RATE).

    One connection per wrk thread, so each answer pairs with its request, and
    each connection has its own schedule, as in wrk2: a connection whose
    answer comes later than its next due time sends that one late (counted
    from the due time). With 256 connections at 750/s that takes an answer
    slower than 340 ms; real visitors each have their own connection.
    wrk costs 0.15-0.23 ms of CPU per request here, the Python asyncio client
    it replaced 0.30-0.38 ms, on the same two cores as the server."""
    script = BENCH / "wrk" / "post.lua"
    lead = 0.5  # wrk starts its threads and connects before the first request is due
    tail = 2.0  # for the last answers; any later counts as a failure
    with tempfile.TemporaryDirectory(prefix="lc-open-loop-") as tmp:
        out = Path(tmp) / "answers"
        env = {
            **os.environ,
            "LC_RATE": f"{rate}",
            "LC_START": f"{time.time() + lead}",
            "LC_SECONDS": f"{seconds}",
            "LC_THREADS": str(connections),
            "LC_OUT": str(out),
        }
        command = [
            "wrk", f"-t{connections}", f"-c{connections}", f"-d{math.ceil(lead + seconds + tail)}s",
            "--timeout", "10s", "-s", str(script), url,
        ]  # fmt: skip
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        summary = subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = OpenLoopResult(
            client_cpu=after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime,
        )
        for part in Path(tmp).glob("answers.*"):
            for line in part.read_text().splitlines():
                key, due, sent, done, status = line.split()
                result.samples.append(Sample(float(due), float(sent), float(done), int(status), key))
    result.failures = _socket_errors(summary)
    result.unsent = max(0, math.ceil(rate * seconds) - len(result.samples) - result.failures)
    result.samples.sort(key=lambda s: s.scheduled)
    return result


def _socket_errors(summary: str) -> int:
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", summary)
    return sum(int(n) for n in found.groups()) if found else 0


def accepted_id(sample: Sample, form_key: str) -> str | None:
    """The submission id the server gave an accepted request (derived from its _lc_id)."""
    from capture.public.intake import submission_id

    return submission_id(form_key, sample.client_key) if sample.status == 202 else None
