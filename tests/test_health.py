"""The health endpoint reports Redis durability, the database and live workers."""

from __future__ import annotations

from dataclasses import replace

from capture.app import create_app
from capture.embedded_redis import free_port
from worker.queues import SUBMISSIONS
from worker.workers import LeadWorker


def test_healthy_only_with_a_live_worker(client, redis):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"] == {"ok": True, "problems": []}
    assert response.json["database"] == {"ok": True}
    assert response.json["workers"] == {"ok": False, "alive": 0}

    worker = LeadWorker([SUBMISSIONS], connection=redis, serializer="json")
    worker.register_birth()
    worker.heartbeat()
    try:
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json["ok"] is True and response.json["workers"]["alive"] == 1
    finally:
        worker.register_death()


def test_redis_that_could_lose_jobs_is_unhealthy_and_says_why(client, redis):
    redis.config_set("appendonly", "no")
    redis.config_set("maxmemory-policy", "allkeys-lru")
    try:
        body = client.get("/healthz").json
    finally:
        redis.config_set("appendonly", "yes")
        redis.config_set("maxmemory-policy", "noeviction")
    assert body["ok"] is False
    assert any("appendonly no" in problem for problem in body["redis"]["problems"])
    assert any("allkeys-lru" in problem for problem in body["redis"]["problems"])


def test_unreachable_redis_and_database_are_reported_without_secrets(settings):
    broken = create_app(
        replace(
            settings,
            redis_url=f"redis://:hunter2@127.0.0.1:{free_port()}/0",
            database_url=f"postgresql+psycopg://u:hunter2@127.0.0.1:{free_port()}/x",
        )
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["redis"]["ok"] is False and response.json["database"]["ok"] is False
    assert "hunter2" not in response.get_data(as_text=True)
    broken.extensions["lc_redis"].close()
    broken.extensions["lc_engine"].dispose()
