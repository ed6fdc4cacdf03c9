"""How the benchmarks describe the machine and print their figures: medians
with their spread, ratios, verdicts, Markdown tables, CPU accounting."""

from __future__ import annotations

import contextlib
import datetime
import math
import os
import signal
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
    own = _stat_fields(Path(f"/proc/{pid}/stat"))
    counted = own[11:15] if with_children else own[11:13]  # utime stime [cutime cstime]
    total = sum(int(v) for v in counted)
    if with_children:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = _stat_fields(entry / "stat")
                if int(stat[1]) == pid:
                    total += int(stat[11]) + int(stat[12])
    return total / tick


def _stat_fields(stat: Path) -> list[str]:
    """A ``/proc/<pid>/stat`` line from field 3 (state) on; the command name may hold spaces."""
    return stat.read_text().rsplit(")", 1)[1].split()


def parent_pid(pid: int) -> int:
    return int(_stat_fields(Path(f"/proc/{pid}/stat"))[1])


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]
