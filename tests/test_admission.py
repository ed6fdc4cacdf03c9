"""The submit path's one Redis step, built by hand for speed, must stay exactly
what RQ would have stored, and must survive what Redis does to its clients:
restarts that forget scripts and connections that drop."""

from __future__ import annotations

import zlib
from urllib.parse import urlencode

import pytest
from redis import Redis
from rq.job import Job, JobStatus
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from capture.public.admission import DUPLICATE, QUEUED, Admitter, RateLimit, _lua_string
from capture.public.intake import parse_urlencoded
from worker.queues import (
    PROCESS_SUBMISSION,
    RETRY_INTERVALS,
    SubmissionJobHash,
    submission_job,
    submissions_queue,
)

PAYLOAD = {
    "submission_id": "7d3c0a52-3a8e-5a7e-9c1e-0c1f6b1d2e3f",
    "form_key": "k3y",
    "values": {"name": "Ștefan Ionescu", "email": "stefan@example.ro", "notes": 'Tom & Jerry <b>"]]'},
}


def test_job_hash_has_every_field_rq_would_store(redis: Redis) -> None:
    queue = submissions_queue(redis)
    ours = {**SubmissionJobHash(queue).shared, **SubmissionJobHash.per_submission(PAYLOAD)}
    theirs = {
        name: str(value.value if isinstance(value, JobStatus) else value)
        for name, value in submission_job(queue, PAYLOAD).to_dict().items()
        if value not in (None, "")
    }
    assert ours.keys() == theirs.keys()
    assert ours["data"].encode() == zlib.decompress(submission_job(queue, PAYLOAD).to_dict()["data"])
    for name in ours.keys() - {"data", "created_at", "enqueued_at"}:
        assert ours[name] == theirs[name], name


def test_admitted_job_reads_back_as_the_rq_job(redis: Redis) -> None:
    queue = submissions_queue(redis)
    admitter = Admitter(redis, queue, (RateLimit("ip", 100, 60),))
    assert admitter.admit(PAYLOAD, "203.0.113.9").status == QUEUED
    job = Job.fetch(PAYLOAD["submission_id"], connection=redis, serializer=queue.serializer)
    assert job.func_name == PROCESS_SUBMISSION
    assert job.args == [PAYLOAD]
    assert job.get_status() == JobStatus.QUEUED
    assert (job.retries_left, job.retry_intervals, job.timeout) == (len(RETRY_INTERVALS), RETRY_INTERVALS, 15)
    assert job.description == f"submission {PAYLOAD['submission_id']} for form k3y"
    assert queue.job_ids == [PAYLOAD["submission_id"]]
    assert admitter.admit(PAYLOAD, "203.0.113.9").status == DUPLICATE
    assert queue.count == 1


@pytest.mark.parametrize("value", ["", "plain", "ends with ]", "]]", "a]=]b]==]", "[1, 2]", "ș & \"q\" 'x'"])
def test_lua_long_strings_keep_every_value(redis: Redis, value: str) -> None:
    assert redis.eval(f"return {_lua_string(value)}", 0).decode() == value


def test_forgotten_script_is_loaded_again(redis: Redis) -> None:
    """A restarted Redis (AOF replays data, not scripts) has no script cache."""
    admitter = Admitter(redis, submissions_queue(redis), ())
    assert admitter.admit({**PAYLOAD, "submission_id": "a" * 8}, "ip").status == QUEUED
    redis.script_flush()
    assert admitter.admit({**PAYLOAD, "submission_id": "b" * 8}, "ip").status == QUEUED
    assert submissions_queue(redis).count == 2


def test_dropped_connection_is_reopened(redis: Redis) -> None:
    admitter = Admitter(redis, submissions_queue(redis), ())
    assert admitter.admit({**PAYLOAD, "submission_id": "c" * 8}, "ip").status == QUEUED
    killed = redis.client_kill_filter(_type="normal", skipme=True)
    assert killed >= 1
    assert admitter.admit({**PAYLOAD, "submission_id": "d" * 8}, "ip").status == QUEUED
    assert submissions_queue(redis).count == 2


@pytest.mark.parametrize(
    "pairs",
    [
        [("name", "Ana Popescu"), ("email", "ana+x@example.com")],
        [("name", "Tom & Jerry"), ("note", "50% = half; a+b")],
        [("name", "first"), ("name", "second"), ("empty", "")],
        [("name", "Ștefan Žemaitė Éloïse")],
    ],
)
def test_urlencoded_bodies_parse_as_werkzeug_would(pairs: list[tuple[str, str]]) -> None:
    body = urlencode(pairs)
    environ = EnvironBuilder(method="POST", data=body, content_type="application/x-www-form-urlencoded")
    assert parse_urlencoded(body) == Request(environ.get_environ()).form.to_dict(flat=True)


def test_urlencoded_edge_cases() -> None:
    # An undecodable byte is kept as a lone surrogate (never replaced), for validation to refuse.
    assert parse_urlencoded("a=%E2%82%AC&b=%FF&c=") == {"a": "€", "b": "\udcff", "c": ""}
    assert parse_urlencoded("a=%8A", "cp1250") == {"a": "Š"}
    assert parse_urlencoded("&".join(f"f{n}=x" for n in range(500))) is None
