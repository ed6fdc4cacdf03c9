"""Intake benchmark: ``POST /f/<key>`` under gunicorn with the production config,
against two baselines served by the same gunicorn settings — a Flask endpoint
that does nothing, and one that only does RQ's ``Queue.enqueue`` of the same
payload — then the latency at half of the measured maximum, at a fixed rate.

    python bench/intake.py            # 5 rounds x concurrency 16, 64 x 6 s slices, then 5 x 6 s fixed rate
    python bench/intake.py --quick    # smoke size (< 60 s)
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import figures
import load
import processes
import services

APPS = {
    "real": "capture.wsgi:app",
    "do-nothing": "bench.intake:baseline_app('nothing')",
    "bare enqueue": "bench.intake:baseline_app('enqueue')",
}
FIELDS = ("name", "email", "phone", "company", "description")


def baseline_app(kind: str) -> Any:
    """The two baselines, built by gunicorn in each worker (``bench.intake:baseline_app('…')``)."""
    import os
    import uuid
    from datetime import UTC, datetime

    from flask import Flask, jsonify, request
    from redis import Redis
    from rq import Queue
    from rq.serializers import JSONSerializer

    app = Flask(__name__)
    queue = Queue("bench", connection=Redis.from_url(os.environ["REDIS_URL"]), serializer=JSONSerializer)

    @app.post("/f/<key>")
    def submit(key: str) -> Any:
        if kind == "nothing":
            response = jsonify({"id": "0", "message": "Thanks, we'll call you."})
            response.status_code = 202
            return response
        form = request.form
        sid = form.get("_lc_id") or str(uuid.uuid4())
        # The same shape and size as the real payload (capture.public.intake.build_submission).
        payload = {
            "v": 1,
            "submission_id": sid,
            "form_key": key,
            "form_id": 1,
            "received_at": datetime.now(UTC).isoformat(),
            "values": {name: form.get(name, "") for name in FIELDS},
            "presets": {
                "name_prefix": "[Web]",
                "status_id": 1,
                "source_id": 1,
                "priority_id": 2,
                "owner_id": None,
            },
            "meta": {
                "page_url": form.get("_lc_page", ""),
                "referrer": "",
                "attribution": {},
                "consent_given": False,
                "consent_text": "",
            },
        }
        queue.enqueue("worker.jobs.process_submission", payload)
        response = jsonify({"id": sid, "message": "Thanks, we'll call you."})
        response.status_code = 202
        return response

    return app


def serve(app: str, env: dict[str, str], log: Path):  # type: ignore[no-untyped-def]
    """A started gunicorn (production config) serving ``app``; returns (context, port)."""
    port = services.free_port()
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    return processes.child(processes.gunicorn_command(app), server_env, log), port


def start_server(
    stack: contextlib.ExitStack, app: str, env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[bytes], int]:
    context, port = serve(app, env, log)
    process = stack.enter_context(context)
    processes.wait_http(port, process, log)
    return process, port


def redis_process(redis_url: str) -> int:
    from redis import Redis

    connection = Redis.from_url(redis_url)
    pid = int(connection.info("server")["process_id"])
    connection.close()
    return pid


def server_cpu(gunicorn_pid: int, redis_pid: int) -> float:
    """CPU seconds of the gunicorn master, its workers and Redis: the server side of a request."""
    return figures.process_cpu(gunicorn_pid, with_children=True) + figures.process_cpu(
        redis_pid, with_children=True
    )


def reset_redis(redis_url: str, definition: dict[str, Any]) -> None:
    """Empty Redis between servers so queue length never differs, and republish the form.

    The append-only file is rewritten (to almost nothing) and the rewrite
    awaited: otherwise the jobs one server queued make Redis fork and rewrite
    tens of MB of AOF while the next server is being measured."""
    import time

    from redis import Redis

    from capture.public.form_cache import publish

    connection = Redis.from_url(redis_url)
    connection.flushdb()
    while connection.info("persistence")["aof_rewrite_in_progress"]:
        time.sleep(0.1)
    connection.bgrewriteaof()
    time.sleep(0.1)
    while any(
        connection.info("persistence")[k] for k in ("aof_rewrite_in_progress", "aof_rewrite_scheduled")
    ):
        time.sleep(0.1)
    publish(connection, definition)
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke size: 1 run, 2 s per load")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--seconds", type=float, help="duration of each wrk load")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    seconds = args.seconds or (2 if args.quick else 6)
    warmup = 1 if args.quick else 2

    figures.print_machine("Intake")
    with tempfile.TemporaryDirectory(prefix="lc-bench-intake-") as tmp_name:
        tmp = Path(tmp_name)
        log = tmp / "servers.log"
        with services.served_form(tmp, "sqlite", "intake") as (redis_url, db_url, definition):
            redis_pid = redis_process(redis_url)
            path = f"/f/{definition['key']}"
            env = services.capture_env(db_url, redis_url)
            print(f"gunicorn --config python:capture.gunicorn_conf: {processes.gunicorn_shape(env)}")
            print(f"wrk -t2 --latency -s bench/wrk/post.lua, {seconds:g} s per load, {runs} run(s)\n")
            results: dict[str, dict[int, list[load.WrkResult]]] = {
                name: {c: [] for c in args.concurrency} for name in APPS
            }
            with contextlib.ExitStack() as stack:
                # All three servers run side by side and take turns in short
                # slices, in a rotating order: the host's noise (other tenants
                # on a shared VM) then falls on every endpoint alike.
                servers = {name: start_server(stack, app, env, log) for name, app in APPS.items()}
                for _, port in servers.values():
                    reset_redis(redis_url, definition)
                    load.warm_up(f"http://127.0.0.1:{port}{path}", warmup)
                names = list(APPS)
                for run in range(runs):
                    for concurrency in args.concurrency:
                        for name in names[run % len(names) :] + names[: run % len(names)]:
                            process, port = servers[name]
                            reset_redis(redis_url, definition)
                            url = f"http://127.0.0.1:{port}{path}"
                            cpu = server_cpu(process.pid, redis_pid)
                            result = load.run_wrk(url, concurrency, seconds)
                            used = server_cpu(process.pid, redis_pid) - cpu
                            result = dataclasses.replace(result, cpu_ms=used * 1000 / max(result.requests, 1))
                            results[name][concurrency].append(result)
                            print(
                                f"run {run + 1} {name:<12} c={concurrency:<3} {result.rps:8.0f} req/s "
                                f"p50 {result.p50_ms:6.2f} ms p99 {result.p99_ms:7.2f} ms "
                                f"CPU {result.cpu_ms:.2f} ms/req errors {result.errors}",
                                flush=True,
                            )
            print()
            report_closed_loop(results)
            best = max(statistics.median(r.rps for r in results["real"][c]) for c in args.concurrency)
            rate = best / 2
            fixed = fixed_rate(env, redis_url, definition, log, rate, seconds, runs, warmup)
    report_fixed_rate(fixed, rate, best)
    return 0


def report_closed_loop(results: dict[str, dict[int, list[load.WrkResult]]]) -> None:
    rows = []
    for concurrency in results["real"]:
        real = [r.rps for r in results["real"][concurrency]]
        for name in APPS:
            series = results[name][concurrency]
            rows.append(
                [
                    concurrency,
                    name,
                    figures.Spread.of([r.rps for r in series]).show(),
                    figures.Spread.of([r.p50_ms for r in series]).show(2),
                    figures.Spread.of([r.p99_ms for r in series]).show(1),
                    figures.Spread.of([r.cpu_ms for r in series]).show(2),
                    sum(r.errors for r in series),
                    "" if name == "real" else figures.ratio(real, [r.rps for r in series]).show(2) + "x",
                ]
            )
    figures.print_table(
        [
            "conc.",
            "endpoint",
            "req/s",
            "p50 ms",
            "p99 ms",
            "server CPU ms/req",
            "errors",
            "real / this (req/s)",
        ],
        rows,
    )
    for concurrency in results["real"]:
        real = [r.rps for r in results["real"][concurrency]]
        nothing = figures.ratio(real, [r.rps for r in results["do-nothing"][concurrency]])
        enqueue = figures.ratio(real, [r.rps for r in results["bare enqueue"][concurrency]])
        print(
            f"c={concurrency}: real/do-nothing {nothing.median:.2f}x (target ≥ 0.6: "
            f"{figures.verdict(nothing.median >= 0.6)}), real/bare-enqueue {enqueue.median:.2f}x "
            f"(target ≥ 1.3: {figures.verdict(enqueue.median >= 1.3)})"
        )
        cpu = {name: statistics.median(r.cpu_ms for r in results[name][concurrency]) for name in APPS}
        print(
            f"      server CPU per request: real {cpu['real']:.2f} ms, do-nothing {cpu['do-nothing']:.2f} ms, "
            f"bare enqueue {cpu['bare enqueue']:.2f} ms (do-nothing/real {cpu['do-nothing'] / cpu['real']:.2f}x, "
            f"bare enqueue/real {cpu['bare enqueue'] / cpu['real']:.2f}x)"
        )
    print()


def fixed_rate(
    env: dict[str, str],
    redis_url: str,
    definition: dict[str, Any],
    log: Path,
    rate: float,
    seconds: float,
    runs: int,
    warmup: float,
) -> dict[str, list[load.OpenLoopResult]]:
    print(f"Fixed rate {rate:.0f} req/s (half of the real endpoint's best median), {seconds:g} s per run")
    path = f"/f/{definition['key']}"
    out: dict[str, list[load.OpenLoopResult]] = {"real": [], "do-nothing": []}
    with contextlib.ExitStack() as stack:
        servers = {name: start_server(stack, APPS[name], env, log) for name in out}
        for _, port in servers.values():
            load.warm_up(f"http://127.0.0.1:{port}{path}", warmup)
        for run in range(runs):
            for name in out:
                reset_redis(redis_url, definition)
                port = servers[name][1]
                result = load.open_loop(f"http://127.0.0.1:{port}{path}", rate, seconds)
                out[name].append(result)
                latencies = result.latencies_ms()
                bad = sum(s.status != 202 for s in result.samples) + result.failures
                print(
                    f"run {run + 1} {name:<12} {len(latencies)} requests, p50 "
                    f"{figures.percentile(latencies, 50):.2f} ms p99 {figures.percentile(latencies, 99):.2f} ms "
                    f"errors {bad}, never sent {result.unsent}",
                    flush=True,
                )
    print()
    return out


def report_fixed_rate(fixed: dict[str, list[load.OpenLoopResult]], rate: float, best: float) -> None:
    rows = []
    for name, series in fixed.items():
        per = {p: [figures.percentile(r.latencies_ms(), p) for r in series] for p in (50, 90, 99)}
        maximum = [max(r.latencies_ms()) for r in series]
        sent = [len(r.samples) for r in series]
        errors = sum(sum(s.status != 202 for s in r.samples) + r.failures for r in series)
        rows.append(
            [
                name,
                f"{statistics.median(sent):.0f}",
                figures.Spread.of(per[50]).show(2),
                figures.Spread.of(per[90]).show(2),
                figures.Spread.of(per[99]).show(1),
                figures.Spread.of(maximum).show(0),
                errors,
            ]
        )
    figures.print_table(["endpoint", "requests", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors"], rows)
    p99 = statistics.median(figures.percentile(r.latencies_ms(), 99) for r in fixed["real"])
    print(
        f"real endpoint at {rate:.0f} req/s (half of {best:.0f}): p99 {p99:.1f} ms "
        f"(target ≤ 25 ms: {figures.verdict(p99 <= 25)})"
    )


if __name__ == "__main__":
    sys.exit(main())
