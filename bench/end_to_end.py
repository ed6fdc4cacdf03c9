"""End-to-end benchmark: submit → prospect committed, under a steady load.

gunicorn (production config) and ``leadcapture worker`` on PostgreSQL. Without
``--rate`` it first measures the intake maximum in the same run (wrk, 64
connections, no worker running) and then loads at half of it. A fixed-rate
(open-loop) client (wrk, ``load.open_loop``) sends each submission at its due
time and notes when it was due, sent and answered; a separate process polls the
database every 20 ms for new prospects and notes when each ``submission_id``
first appears. The headline latency is seen - due, so it includes the poll
interval (0-20 ms, 10 ms on average). Each run also reports the CPU per
submission of every part: on two cores they all share the machine.

    python bench/end_to_end.py               # 3 runs x 60 s at half the measured maximum
    python bench/end_to_end.py --quick       # smoke size (< 60 s)
    python bench/end_to_end.py --rate 150
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import figures
import load
import processes
import services

POLL = 0.02
HOLE_PATIENCE = 5.0  # an id skipped this long is a rolled-back insert, not a late commit


def poll_prospects(database_url: str, stop: Event, out: Connection) -> None:
    """Note when each submission's prospect first becomes visible. Ids below the
    highest seen may still commit late (concurrent transactions), so the query
    starts at the lowest id not yet seen."""
    import psycopg

    seen: dict[str, float] = {}
    ids: set[int] = set()
    holes: dict[int, float] = {}
    floor = 0  # every id <= floor has been seen (or given up on)
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(
                "SELECT id, submission_id FROM prospects WHERE id > %s ORDER BY id", (floor,)
            ).fetchall()
            now = time.time()
            for row_id, sid in rows:
                if row_id not in ids:
                    ids.add(row_id)
                    seen[sid] = now
            top = max(ids, default=0)
            while floor < top:
                if floor + 1 in ids:
                    ids.discard(floor + 1)
                    floor += 1
                elif now - holes.setdefault(floor + 1, now) > HOLE_PATIENCE:
                    holes.pop(floor + 1)
                    floor += 1
                else:
                    break
            time.sleep(POLL)
    out.send(seen)
    out.close()


def part_pids(redis: Any, database_url: str) -> dict[str, int]:
    """The processes whose CPU the run accounts for, besides gunicorn and the worker:
    Redis (from INFO) and the PostgreSQL postmaster (the parent of a backend)."""
    import psycopg

    with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
        backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        postmaster = figures.parent_pid(backend)  # while the backend is still there
    return {"Redis": int(redis.info("server")["process_id"]), "PostgreSQL": postmaster}


def measure_max(port: int, path: str, seconds: float) -> float:
    result = load.run_wrk(f"http://127.0.0.1:{port}{path}", 64, seconds)
    return result.rps


def one_run(
    run: int,
    env: dict[str, str],
    database_url: str,
    path: str,
    port: int,
    rate: float,
    seconds: float,
    workers: int,
    log: Path,
    server_pid: int,
) -> dict[str, Any]:
    from redis import Redis
    from rq import Worker

    form_key = path.rsplit("/", 1)[1]
    redis = Redis.from_url(env["REDIS_URL"])
    command = [
        sys.executable,
        "-m",
        "capture.cli",
        "worker",
        *(["--processes", str(workers)] if workers > 1 else []),
    ]
    log_start = log.stat().st_size if log.exists() else 0
    with processes.child(command, env, log) as worker_process:
        deadline = time.monotonic() + 60
        while Worker.count(connection=redis) < workers:
            if worker_process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start; see {log}")
            time.sleep(0.05)
        stop = multiprocessing.Event()
        receive, send = multiprocessing.Pipe(duplex=False)
        poller = multiprocessing.Process(target=poll_prospects, args=(database_url, stop, send), daemon=True)
        poller.start()

        # CPU per part (tree: the process with its children, live and reaped), from
        # the first submission until the worker has drained the last one.
        trees = {"gunicorn": server_pid, "worker": worker_process.pid, **part_pids(redis, database_url)}
        singles = {"poller": poller.pid or 0}
        ticks = figures.cpu_ticks()

        def cpu_now() -> dict[str, float]:
            return {
                **{part: figures.process_cpu(pid, with_children=True) for part, pid in trees.items()},
                **{part: figures.process_cpu(pid) for part, pid in singles.items()},
            }

        cpu_before = cpu_now()
        started = time.monotonic()
        result = load.open_loop(f"http://127.0.0.1:{port}{path}", rate, seconds)
        accepted = [(sid, s) for s in result.samples if (sid := load.accepted_id(s, form_key))]
        # Let the worker finish the tail, then collect.
        tail_deadline = time.monotonic() + 60
        while time.monotonic() < tail_deadline and redis.llen("rq:queue:submissions"):
            time.sleep(0.1)
        cpu_after = cpu_now()
        busy = figures.busy_cores(ticks, figures.cpu_ticks())
        wall = time.monotonic() - started
        time.sleep(1.0)
        stop.set()
        seen: dict[str, float] = receive.recv()
        poller.join(10)
    redis.close()
    committed = [(seen[sid], s) for sid, s in accepted if sid in seen]
    series = {
        # The visitor clicks at the due time: waiting for a free client connection counts.
        "due": [(t - s.scheduled) * 1000 for t, s in committed] + [math.inf] * result.unsent,
        "sent": [(t - s.sent) * 1000 for t, s in committed],
        "answer": [(s.done - s.sent) * 1000 for _sid, s in accepted],
        "queued": [(t - s.done) * 1000 for t, s in committed],
        "late": [(s.sent - s.scheduled) * 1000 for _sid, s in accepted],
    }
    out: dict[str, Any] = {
        "accepted": len(accepted),
        "missing": len(accepted) - len(committed),
        "refused": len(result.samples) - len(accepted) + result.failures,
        "unsent": result.unsent,
        "client_cpu_ms": result.client_cpu * 1000 / max(len(result.samples), 1),
        "busy_cores": busy,
    }
    with log.open("rb") as f:
        f.seek(log_start)
        batches = [1 + int(n) for n in re.findall(rb"\(\+(\d+) batched\)", f.read())]
    out["batch_mean"] = statistics.fmean(batches) if batches else float("nan")
    per = 1000 / max(len(result.samples), 1)
    cpu = {part: (cpu_after[part] - cpu_before[part]) * per for part in cpu_before}
    cpu["client"] = result.client_cpu * per
    cpu["everything else"] = busy * wall * per - sum(cpu.values())
    out["cpu_ms"] = cpu
    for name, values in series.items():
        for p in (50, 95, 99):
            out[f"{name}_p{p}"] = figures.percentile(values, p)
        out[f"{name}_max"] = max(values, default=float("nan"))
    print(
        f"run {run + 1}: {out['accepted']} accepted, {out['missing']} not seen, {out['unsent']} never sent; "
        f"submit→committed p50 "
        f"{out['due_p50']:.0f} ms p95 {out['due_p95']:.0f} ms p99 {out['due_p99']:.0f} ms (from the actual send: "
        f"p95 {out['sent_p95']:.0f} ms; send→202 p95 {out['answer_p95']:.0f} ms, 202→committed p95 "
        f"{out['queued_p95']:.0f} ms; sends late by p95 {out['late_p95']:.0f} ms); client CPU "
        f"{out['client_cpu_ms']:.2f} ms/request",
        flush=True,
    )
    print(
        f"  {len(batches)} worker transactions, {out['batch_mean']:.1f} submissions each on average; "
        f"CPU ms per submission ({busy:.2f} of {os.cpu_count()} cores busy): "
        + ", ".join(f"{part} {ms:.2f}" for part, ms in cpu.items()),
        flush=True,
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke size: 1 run of 10 s")
    parser.add_argument(
        "--rate", type=float, help="submissions per second (default: half the measured maximum)"
    )
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--runs", type=int)
    parser.add_argument("--workers", type=int, default=1, help="leadcapture worker --processes (default 1)")
    args = parser.parse_args()
    seconds = args.seconds or (10 if args.quick else 60)
    runs = args.runs or (1 if args.quick else 3)

    figures.print_machine("End to end")
    with tempfile.TemporaryDirectory(prefix="lc-bench-e2e-") as tmp_name:
        tmp = Path(tmp_name)
        log = tmp / "processes.log"
        with services.served_form(tmp, "postgres", "lc_bench_e2e") as (redis_url, database_url, definition):
            from redis import Redis

            from capture.public.form_cache import publish

            path = f"/f/{definition['key']}"
            port = services.free_port()
            env = services.capture_env(database_url, redis_url, GUNICORN_BIND=f"127.0.0.1:{port}")
            print(
                f"gunicorn --config python:capture.gunicorn_conf ({processes.gunicorn_shape(env)}), "
                f"leadcapture worker x {args.workers}, PostgreSQL"
            )
            with processes.child(processes.gunicorn_command("capture.wsgi:app"), env, log) as server:
                processes.wait_http(port, server, log)
                load.warm_up(f"http://127.0.0.1:{port}{path}", 3)
                if args.rate:
                    rate = args.rate
                    print(f"rate {rate:.0f}/s (given)")
                else:
                    maximum = measure_max(port, path, 3 if args.quick else 10)
                    rate = maximum / 2
                    print(f"intake maximum {maximum:.0f} req/s (wrk, 64 connections) → rate {rate:.0f}/s")
                connection = Redis.from_url(redis_url)
                connection.flushdb()  # drop the backlog of the maximum measurement
                publish(connection, definition)
                connection.close()
                print(f"{runs} run(s) x {seconds:g} s\n")
                results = [
                    one_run(run, env, database_url, path, port, rate, seconds, args.workers, log, server.pid)
                    for run in range(runs)
                ]
    labels = {
        "due": "submit (due time) → committed",
        "sent": "actual send → committed",
        "answer": "  send → 202 answer",
        "queued": "  202 → committed",
        "late": "send delayed by a busy client",
    }
    rows = [
        [
            label,
            *(
                figures.Spread.of([r[f"{name}_{p}"] for r in results]).show(0)
                for p in ("p50", "p95", "p99", "max")
            ),
        ]
        for name, label in labels.items()
    ]
    print()
    figures.print_table(["latency ms", "p50", "p95", "p99", "max"], rows)
    cpu_rows = [
        [part, figures.Spread.of([r["cpu_ms"][part] for r in results]).show(2)]
        for part in results[0]["cpu_ms"]
    ]
    cpu_rows.append(["cores busy", figures.Spread.of([r["busy_cores"] for r in results]).show(2)])
    figures.print_table(["CPU ms per submission", "median (min-max)"], cpu_rows)
    accepted = sum(r["accepted"] for r in results)
    missing = sum(r["missing"] for r in results)
    refused = sum(r["refused"] for r in results)
    p95 = statistics.median(r["due_p95"] for r in results)
    unsent = sum(r["unsent"] for r in results)
    print(
        f"{accepted} accepted, {missing} never seen committed, {refused} not accepted (non-202 or failed), "
        f"{unsent} due but never sent (the client fell behind; counted as infinitely late)"
    )
    print(
        f"submit→committed p95 {p95:.0f} ms at {rate:.0f}/s "
        f"(target ≤ 500 ms: {figures.verdict(p95 <= 500 and not missing)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
