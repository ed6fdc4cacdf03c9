"""The product as real processes: the README's `leadcapture serve`, and the
production commands docker-compose.yml runs (migrate, gunicorn, workers)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from capture.embedded_redis import EmbeddedRedis, free_port
from crm_core.db import make_engine, make_session_factory
from crm_core.models import Prospect, Role, Status, User
from tests.processes import http, log_in, port_open, stop_tree, wait_for

BIN = Path(sys.executable).parent


def leadcapture(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(BIN / "leadcapture"), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.faults
def test_leadcapture_serve_end_to_end(tmp_path: Path) -> None:
    """A newcomer's first run: serve, submit the demo form, see `[Web] …` in the admin, Ctrl-C."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    log = (tmp_path / "serve.log").open("w+")
    serve = subprocess.Popen(
        [str(BIN / "leadcapture"), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for(lambda: port_open(port), 60, what="the web server")
        banner = (tmp_path / "serve.log").read_text()
        demo_url = re.search(r"Demo page.*?(http://\S+)", banner).group(1)  # type: ignore[union-attr]
        email, password = re.search(r"log in as (\S+) with password (\S+)", banner).groups()  # type: ignore[union-attr]
        key = demo_url.rsplit("/", 1)[1]
        base = f"http://127.0.0.1:{port}"

        status, _, page = http(demo_url)
        assert status == 200 and f'data-form="{key}"' in page and "/embed.js" in page

        # As the snippet does: the definition carries a render token; a person takes a few seconds.
        _, headers, _ = http(f"{base}/f/{key}.json")
        time.sleep(3.1)
        started = time.monotonic()
        status, _, body = http(
            f"{base}/f/{key}",
            {
                "name": "Ana Popescu",
                "email": "ana@example.ro",
                "_lc_consent": "1",
                "_lc_ts": headers["X-LC-Token"],
            },
            {"Origin": base, "Accept": "application/json"},
        )
        assert status == 202, body
        admin = log_in(base, email, password)
        wait_for(
            lambda: "[Web] Ana Popescu" in http(f"{base}/admin/", opener=admin)[2],
            10,
            what="the prospect in the admin list",
        )
        print(f"submit → visible in admin: {time.monotonic() - started:.2f}s")
    finally:
        stopped = time.monotonic()
        serve.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert serve.wait(30) == 0
        print(f"clean stop took {time.monotonic() - stopped:.2f}s")
        log.seek(0)
        output = log.read()
        log.close()
    assert "Stopped." in output
    assert not port_open(port)
    redis_pids = subprocess.run(
        ["pgrep", "-f", str(tmp_path / "data" / "redis")], capture_output=True, text=True
    )
    assert redis_pids.stdout.strip() == "", "the Redis child must be stopped too"
    redis_dir = tmp_path / "data" / "redis"
    assert (redis_dir / "appendonly.aof").exists() or (redis_dir / "appendonlydir").exists(), (
        "Redis runs with AOF"
    )


def production_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "x" * 48,
        "LEADCAPTURE_ENV": "production",
        **extra,
    }


@pytest.mark.faults
def test_production_commands(tmp_path: Path, fresh_database_url: str) -> None:
    """What docker-compose.yml runs: migrate, create users/forms, gunicorn, workers."""
    redis = EmbeddedRedis(tmp_path / "redis").start()
    env = production_env(fresh_database_url, redis.url, SPAM_MIN_SECONDS="1")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        assert "up to date" in leadcapture("db", "upgrade", env=env)
        out = leadcapture("users", "create", "--email", "owner@example.com", "--role", "sales", env=env)
        assert "owner@example.com (sales) password:" in out
        out = leadcapture(
            "forms", "create", "--name", "Landing", "--domain", "example.com", "--owner", "owner@example.com",
            "--status", "In progress", "--prefix", "[LP]", "--fields", "name*,email*,company", env=env,
        )  # fmt: skip
        key = re.search(r"with key (\S+)\.", out).group(1)  # type: ignore[union-attr]

        port = free_port()
        processes.append(
            subprocess.Popen(
                [str(BIN / "gunicorn"), "--config", "python:capture.gunicorn_conf", "capture.wsgi:app"],
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"},
                start_new_session=True,
            )
        )
        processes.append(
            subprocess.Popen([str(BIN / "leadcapture"), "worker"], env=env, start_new_session=True)
        )
        wait_for(lambda: port_open(port), 30, what="gunicorn")
        token = http(f"http://127.0.0.1:{port}/f/{key}.json")[1]["X-LC-Token"]
        time.sleep(1.1)  # SPAM_MIN_SECONDS=1 below
        status, headers, body = http(
            f"http://127.0.0.1:{port}/f/{key}",
            {
                "name": "Jonas Žukauskas",
                "email": "jonas@example.lt",
                "company": "UAB <Saulė>",
                "_lc_ts": token,
            },
            {"Origin": "https://example.com", "Accept": "application/json"},
        )
        assert status == 202, body
        assert headers["Access-Control-Allow-Origin"] == "https://example.com"

        engine = make_engine(fresh_database_url)
        factory = make_session_factory(engine)

        def prospect() -> Prospect | None:
            with factory() as session:
                return session.scalar(select(Prospect))

        found = wait_for(prospect, 20, what="the worker to create the prospect")
        with factory() as session:
            owner = session.scalar(select(User).where(User.email == "owner@example.com"))
            status_row = session.scalar(select(Status).where(Status.name == "In progress"))
            assert owner is not None and owner.role == Role.SALES
            assert found.name == "[LP] Jonas Žukauskas"
            assert found.company == "UAB <Saulė>"
            assert found.owner_id == owner.id and found.status_id == status_row.id  # type: ignore[union-attr]
        engine.dispose()
    finally:
        for process in processes:
            stop_tree(process)
        redis.stop()


def test_production_refuses_a_weak_secret_key(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite://",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECRET_KEY": "dev",
    }
    env["LEADCAPTURE_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-c", "import capture.wsgi"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_docker_compose_runs_the_tested_commands() -> None:
    compose = yaml.safe_load((Path(__file__).parent.parent / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "migrate", "capture", "worker"}
    redis_command = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_command and "--maxmemory-policy noeviction" in redis_command
    assert services["migrate"]["command"] == ["leadcapture", "db", "upgrade"]
    assert services["capture"]["command"] == [
        "gunicorn", "--config", "python:capture.gunicorn_conf", "capture.wsgi:app"
    ]  # fmt: skip
    assert services["worker"]["command"] == ["leadcapture", "worker"]
    assert services["capture"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # Imports: the web app stores the upload, a worker reads it.
    for name in ("capture", "worker"):
        assert services[name]["environment"]["UPLOAD_DIR"] == "/var/lib/leadcapture/files"
        assert "transfer-files:/var/lib/leadcapture/files" in services[name]["volumes"]


def test_production_refuses_debug_mode() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": "sqlite://",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "SECRET_KEY": "k" * 48,
    }
    env.update(LEADCAPTURE_ENV="production", FLASK_DEBUG="1")
    result = subprocess.run(
        [sys.executable, "-c", "import capture.wsgi"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "Debug mode" in result.stderr


@pytest.mark.faults
def test_recycled_gunicorn_workers_keep_serving(tmp_path: Path, fresh_database_url: str) -> None:
    """The production config preloads the app in the master; where workers are
    recycled (GUNICORN_MAX_REQUESTS), each new one is a fork of the master and
    must reach the database with a pool of its own (post_fork) and the queue."""
    redis = EmbeddedRedis(tmp_path / "redis").start()
    env = production_env(fresh_database_url, redis.url, SPAM_MIN_SECONDS="0", REQUIRE_RENDER_TOKEN="0")
    log = tmp_path / "gunicorn.log"
    port = free_port()
    try:
        leadcapture("db", "upgrade", env=env)
        out = leadcapture("forms", "create", "--name", "Landing", "--domain", "example.com", env=env)
        key = re.search(r"with key (\S+)\.", out).group(1)  # type: ignore[union-attr]
        with log.open("wb") as sink:
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "--config", "python:capture.gunicorn_conf", "capture.wsgi:app",
                 "--max-requests", "3", "--max-requests-jitter", "0"],
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"},
                stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        try:
            wait_for(lambda: port_open(port), 30, what="gunicorn")
            for n in range(12):
                _, _, report = http(f"http://127.0.0.1:{port}/healthz")
                assert json.loads(report)["database"] == {"ok": True}, report
                status, _, body = http(
                    f"http://127.0.0.1:{port}/f/{key}",
                    {"name": f"Visitor {n}", "email": f"v{n}@example.com"},
                    {"Origin": "https://example.com", "Accept": "application/json"},
                )
                assert status == 202, body
        finally:
            stop_tree(server)
        text = log.read_text()
        assert text.count("Booting worker") >= 6, text  # 2 at start, then one per 3 requests served
        assert text.count("Autorestarting worker") >= 4, text
        assert "Traceback" not in text, text
    finally:
        redis.stop()
