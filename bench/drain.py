"""Drain benchmark: how fast queued submissions become prospects.

Enqueues valid submissions (as the submit endpoint builds them), then measures
prospects committed per second and the time until all are committed, for:

  (a) baseline: the same prospect rows inserted by ``create_prospect_from_submission``,
      one transaction each, in one process (no queue at all);
  (b) stock RQ ``SimpleWorker`` running a bare one-row insert job (``insert_prospect``
      below: the same per-row work as (a));
  (c) stock RQ forking ``Worker`` running our job ``worker.jobs.process_submission``
      (a smaller count: it forks once per job);
  (d) ``leadcapture worker`` (LeadWorker: non-forking, batched), one process;
  (e) ``leadcapture worker --processes 2``.

The queue is filled first and parked under another key while the workers start
and register; the clock starts when it is renamed back (RENAME wakes the
workers' blocking pop), so process start-up is not counted.

    python bench/drain.py                     # 20,000 submissions, 3 runs, SQLite and PostgreSQL
    python bench/drain.py --quick             # smoke size (< 60 s)
    python bench/drain.py --database postgres
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import figures
import processes
import services

STAGING = "lc:bench:staging"
BARE_QUEUE = "bench_insert"
BARE_JOB = "bench.drain.insert_prospect"
POLL = 0.02


def insert_prospect(payload: dict[str, Any]) -> bool:
    """Baseline (b)'s job: one prospect row, one transaction — exactly baseline (a)'s unit of work."""
    from crm_core.db import transaction
    from crm_core.prospects.intake import create_prospect_from_submission
    from worker.runtime import session_factory

    with transaction(session_factory()) as session:
        return create_prospect_from_submission(session, payload)


def run_stock_worker(kind: str, redis_url: str, queue_name: str) -> None:
    """RQ's own worker classes with default settings. The job module is imported
    before the loop starts (as a deployment would preload it), so the forking
    worker's children do not each import SQLAlchemy and the models again."""
    from redis import Redis
    from rq import SimpleWorker, Worker
    from rq.serializers import JSONSerializer

    import worker.jobs  # noqa: F401
    from worker import runtime

    # As ``leadcapture worker`` does from its Settings; a forking worker's children inherit it.
    runtime.configure(os.environ["DATABASE_URL"])
    worker_class = SimpleWorker if kind == "simple" else Worker
    connection = Redis.from_url(redis_url)
    worker_class([queue_name], connection=connection, serializer=JSONSerializer).work(logging_level="INFO")


@dataclass(frozen=True)
class Scenario:
    label: str
    title: str
    queue: str
    processes: int  # registered workers to wait for
    size: str  # "count", "fork" or "bare": which count it uses


SCENARIOS = [
    Scenario("a", "baseline: 1 row / transaction, 1 process", "", 0, "count"),
    Scenario("b", "stock RQ SimpleWorker, bare insert job", BARE_QUEUE, 1, "bare"),
    Scenario("c", "stock RQ forking Worker, our job", "submissions", 1, "fork"),
    Scenario("d", "leadcapture worker (LeadWorker), 1 process", "submissions", 1, "count"),
    Scenario("e", "leadcapture worker --processes 2", "submissions", 2, "count"),
]


@dataclass(frozen=True)
class Drained:
    count: int
    seconds: float  # start → all prospects committed
    empty_after: float  # start → queue list empty (all claimed)
    busy: float = 0.0  # cores busy on the whole machine meanwhile

    @property
    def rate(self) -> float:
        return self.count / self.seconds


class Bench:
    def __init__(self, kind: str, tmp: Path, redis_url: str, database_url: str, definition: dict[str, Any]):
        from redis import Redis
        from sqlalchemy import text

        from crm_core.db import make_engine, make_session_factory

        self.kind = kind
        self.tmp = tmp
        self.redis_url = redis_url
        self.redis = Redis.from_url(redis_url)
        self.database_url = database_url
        self.engine = make_engine(database_url)
        self.factory = make_session_factory(self.engine)
        self.templates = services.build_payloads(definition, 200)
        self.text = text

    def payloads(self, count: int) -> list[dict[str, Any]]:
        """Fresh submissions (new ids) built from valid templates."""
        return [
            {**self.templates[n % len(self.templates)], "submission_id": str(uuid.uuid4())}
            for n in range(count)
        ]

    def reset(self) -> None:
        self.redis.flushdb()
        with self.engine.begin() as conn:
            if self.kind == "postgres":
                conn.execute(self.text("TRUNCATE prospects RESTART IDENTITY CASCADE"))
            else:
                conn.execute(self.text("DELETE FROM prospects"))
        if self.kind == "postgres":
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(self.text("VACUUM ANALYZE prospects"))

    def committed(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(self.text("SELECT count(*) FROM prospects")).scalar_one()

    # (a)
    def baseline(self, count: int) -> Drained:
        from crm_core.db import transaction
        from crm_core.prospects.intake import create_prospect_from_submission

        self.reset()
        payloads = self.payloads(count)
        ticks = figures.cpu_ticks()
        start = time.perf_counter()
        for payload in payloads:
            with transaction(self.factory) as session:
                create_prospect_from_submission(session, payload)
        seconds = time.perf_counter() - start
        busy = figures.busy_cores(ticks, figures.cpu_ticks())
        assert self.committed() == count
        return Drained(count, seconds, seconds, busy)

    def fill(self, scenario: Scenario, count: int) -> str:
        """Enqueue ``count`` jobs for ``scenario`` and park the queue list; returns its key."""
        from rq import Queue
        from rq.serializers import JSONSerializer

        from worker.queues import RESULT_TTL, submission_job, submissions_queue

        queue = (
            Queue(BARE_QUEUE, connection=self.redis, serializer=JSONSerializer)
            if scenario.queue == BARE_QUEUE
            else submissions_queue(self.redis)
        )
        payloads = self.payloads(count)
        for first in range(0, count, 500):
            chunk = payloads[first : first + 500]
            with self.redis.pipeline() as pipe:
                if scenario.queue == BARE_QUEUE:
                    queue.enqueue_many(
                        [
                            Queue.prepare_data(
                                BARE_JOB, args=(p,), job_id=p["submission_id"], result_ttl=RESULT_TTL
                            )
                            for p in chunk
                        ],
                        pipeline=pipe,
                    )
                else:
                    for payload in chunk:
                        queue.enqueue_job(submission_job(queue, payload), pipeline=pipe)
                pipe.execute()
        assert self.redis.llen(queue.key) == count, "enqueue lost jobs"
        self.redis.rename(queue.key, STAGING)
        return queue.key

    def command(self, scenario: Scenario) -> list[str]:
        if scenario.label == "b":
            return [sys.executable, __file__, "--stock-worker", "simple", self.redis_url, BARE_QUEUE]
        if scenario.label == "c":
            return [sys.executable, __file__, "--stock-worker", "fork", self.redis_url, "submissions"]
        extra = ["--processes", "2"] if scenario.label == "e" else []
        return [sys.executable, "-m", "capture.cli", "worker", *extra]

    def drain(self, scenario: Scenario, count: int) -> Drained:
        from rq import Worker
        from rq.registry import FailedJobRegistry

        self.reset()
        queue_key = self.fill(scenario, count)
        env = services.capture_env(self.database_url, self.redis_url)
        log = self.tmp / f"workers-{self.kind}-{scenario.label}.log"
        with processes.child(self.command(scenario), env, log) as process:
            wait_until(
                lambda: Worker.count(connection=self.redis) >= scenario.processes,
                60,
                f"workers did not start; see {log}",
                process,
            )
            time.sleep(0.3)  # into their blocking pop
            self.redis.rename(STAGING, queue_key)
            ticks = figures.cpu_ticks()
            start = time.perf_counter()
            empty_after = 0.0
            while True:
                if not empty_after and not self.redis.exists(queue_key):
                    empty_after = time.perf_counter() - start
                if self.committed() >= count:
                    break
                if process.poll() is not None:
                    raise RuntimeError(f"workers exited; see {log}")
                if time.perf_counter() - start > 3600:
                    raise RuntimeError(f"drain did not finish in an hour; see {log}")
                time.sleep(POLL)
            seconds = time.perf_counter() - start
            busy = figures.busy_cores(ticks, figures.cpu_ticks())
        failed = FailedJobRegistry(scenario.queue, connection=self.redis).count
        if failed:
            raise RuntimeError(f"{failed} job(s) failed; see {log}")
        return Drained(count, seconds, empty_after or seconds, busy)

    def close(self) -> None:
        self.engine.dispose()
        self.redis.close()


def wait_until(predicate: Callable[[], bool], timeout: float, message: str, process: Any) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(message)
        time.sleep(0.05)


def run_database(kind: str, counts: dict[str, int], runs: int) -> dict[str, list[Drained]]:
    results: dict[str, list[Drained]] = {s.label: [] for s in SCENARIOS}
    with tempfile.TemporaryDirectory(prefix=f"lc-bench-drain-{kind}-") as tmp_name:
        tmp = Path(tmp_name)
        with services.served_form(tmp, kind, "lc_bench_drain") as (redis_url, database_url, definition):
            bench = Bench(kind, tmp, redis_url, database_url, definition)
            try:
                for run in range(runs):
                    for scenario in SCENARIOS:
                        n = counts[scenario.size]
                        drained = bench.baseline(n) if scenario.label == "a" else bench.drain(scenario, n)
                        results[scenario.label].append(drained)
                        print(
                            f"{kind} run {run + 1} ({scenario.label}) {scenario.title}: {n} in "
                            f"{drained.seconds:.2f} s = {drained.rate:.0f}/s (queue empty after "
                            f"{drained.empty_after:.2f} s; machine {drained.busy:.1f} cores busy)",
                            flush=True,
                        )
            finally:
                bench.close()
    return results


def report(kind: str, results: dict[str, list[Drained]]) -> None:
    rate = {label: [d.rate for d in series] for label, series in results.items()}
    rows = []
    for scenario in SCENARIOS:
        series = results[scenario.label]
        rows.append(
            [
                f"({scenario.label}) {scenario.title}",
                series[0].count,
                figures.Spread.of(rate[scenario.label]).show(),
                figures.Spread.of([d.seconds for d in series]).show(2),
                figures.ratio(rate[scenario.label], rate["a"]).show(2) + "x",
                figures.Spread.of([d.busy for d in series]).show(1),
            ]
        )
    print(f"\n{kind}:")
    figures.print_table(["", "jobs", "prospects/s", "time to all committed s", "vs (a)", "cores busy"], rows)
    d_a = figures.ratio(rate["d"], rate["a"])
    e_d = figures.ratio(rate["e"], rate["d"])
    d_rate = statistics.median(rate["d"])
    lines = [
        f"(d)/(a) {d_a.show(2)}x",
        f"(e)/(d) {e_d.show(2)}x (target ≥ 1.7: {figures.verdict(e_d.median >= 1.7)})",
    ]
    if kind == "postgres":
        lines[0] += f" (target ≥ 0.3: {figures.verdict(d_a.median >= 0.3)})"
    else:
        lines.append(
            f"(d) {d_rate:.0f} prospects/s per worker (target ≥ 400: {figures.verdict(d_rate >= 400)})"
        )
    print("; ".join(lines))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--stock-worker":
        run_stock_worker(*sys.argv[2:5])
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="smoke size: 1,000 (forking: 30), 1 run, SQLite")
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"])
    parser.add_argument("--count", type=int, help="submissions per scenario (default 20,000)")
    parser.add_argument("--fork-count", type=int, help="submissions for the forking worker (default 500)")
    parser.add_argument("--bare-count", type=int, help="jobs for the stock SimpleWorker (default: --count)")
    parser.add_argument("--runs", type=int)
    args = parser.parse_args()
    count = args.count or (1000 if args.quick else 20000)
    small = args.fork_count or (30 if args.quick else 500)
    runs = args.runs or (1 if args.quick else 3)
    database = args.database or ("sqlite" if args.quick else "both")
    kinds = ["sqlite", "postgres"] if database == "both" else [database]

    figures.print_machine("Drain")
    counts = {"count": count, "fork": small, "bare": args.bare_count or count}
    print(
        f"{count} submissions per scenario ({small} for the forking worker, {counts['bare']} for the "
        f"stock SimpleWorker), {runs} run(s)\n"
    )
    for kind in kinds:
        report(kind, run_database(kind, counts, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
