"""The product as real processes: the README's `leadcapture serve`, and the
production commands docker-compose.yml runs (migrate, gunicorn, workers)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
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
from tests.processes import Terminal, http, log_in, port_open, stop_tree, wait_for

BIN = Path(sys.executable).parent


def leadcapture(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [str(BIN / "leadcapture"), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.faults
def test_leadcapture_serve_end_to_end(tmp_path: Path) -> None:
    """A newcomer's first run, on a terminal: serve prints its banner only once
    web, worker and Redis are ready; submit the demo form, see `[Web] …` in the
    admin and one line each for the submission accepted and landed — no
    development-server warning, no RQ chatter, no colour codes; Ctrl-C stops all."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    terminal = Terminal(tmp_path / "terminal.log")
    started = time.monotonic()
    serve = subprocess.Popen(
        [str(BIN / "leadcapture"), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=terminal.slave,
        stderr=terminal.slave,
        start_new_session=True,
    )
    terminal.started()
    children: list[int] = []
    base = f"http://127.0.0.1:{port}"
    try:
        terminal.wait_for(r"Press Ctrl-C to stop", 90)
        status, _, report = http(f"{base}/healthz")
        assert status == 200, f"the banner came before the service was ready: {report}"
        print(f"banner after {time.monotonic() - started:.1f}s")
        banner = terminal.text()
        children = [int(pid) for pid in subprocess.run(
            ["pgrep", "-P", str(serve.pid)], capture_output=True, text=True, check=False
        ).stdout.split()]  # fmt: skip
        demo_url = re.search(r"Demo page.*?(http://\S+)", banner).group(1)  # type: ignore[union-attr]
        email, password = re.search(r"log in as (\S+) with password (\S+)", banner).groups()  # type: ignore[union-attr]
        key = demo_url.rsplit("/", 1)[1]

        status, _, page = http(demo_url)
        assert status == 200 and f'data-form="{key}"' in page and "/embed.js" in page

        # As the snippet does: the definition carries a render token; a person takes a few seconds.
        _, headers, _ = http(f"{base}/f/{key}.json")
        time.sleep(3.1)
        submitted = time.monotonic()
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
        submission_id = json.loads(body)["id"]
        admin = log_in(base, email, password)
        wait_for(
            lambda: "[Web] Ana Popescu" in http(f"{base}/admin/", opener=admin)[2],
            10,
            what="the prospect in the admin list",
        )
        print(f"submit → visible in admin: {time.monotonic() - submitted:.2f}s")
        terminal.wait_for(rf"submission {submission_id} landed", 10)
        # A prospect to work is waiting too: a contact, a held call, an open task and a note.
        listing = http(f"{base}/admin/", opener=admin)[2]
        demo = re.search(r'href="/admin/prospects/(\d+)"[^>]*>\[Demo\] Ioana Marin', listing)
        assert demo, "the demo prospect is in the list"
        card = http(f"{base}/admin/prospects/{demo.group(1)}", opener=admin)[2]
        for part in ("Contacts", "Call", "Task", "Note"):
            assert part.lower() in card.lower(), part
    finally:
        stopped = time.monotonic()
        serve.send_signal(signal.SIGINT)  # what Ctrl-C sends (to serve: its children have their own session)
        assert serve.wait(30) == 0
        print(f"clean stop took {time.monotonic() - stopped:.2f}s")
        terminal.close()
    output = terminal.text()
    after_banner = output.split("Press Ctrl-C to stop.", 1)[1]
    assert "Stopped." in output
    assert "development server" not in output, output
    assert "\x1b[" not in (tmp_path / "terminal.log").read_text(), "no colour codes in the log"
    assert not re.search(r" rq[.:]| Job OK|Cleaning registries", output), output
    accepted = [line for line in after_banner.splitlines() if "accepted" in line]
    landed = [line for line in after_banner.splitlines() if "landed" in line]
    assert len(accepted) == 1 and f"submission {submission_id} accepted (form {key})" in accepted[0], (
        after_banner
    )
    assert len(landed) == 1 and submission_id in landed[0], after_banner
    assert not port_open(port)
    assert children, "serve runs its web app and worker as child processes"
    for pid in children:
        assert not Path(f"/proc/{pid}").exists(), f"child {pid} must be stopped too"
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


@pytest.mark.faults
def test_leadcapture_serve_dev_keeps_the_reloading_development_server(tmp_path: Path) -> None:
    """For contributors: `serve --dev` runs Werkzeug's reloader (a code change
    restarts the web app), with the same readiness banner and clean Ctrl-C."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        serve = subprocess.Popen(
            [str(BIN / "leadcapture"), "serve", "--dev", "--port", str(port), "--data-dir", str(tmp_path / "d")],
            env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for(lambda: "Press Ctrl-C to stop" in log.read_text(), 90, what="the banner")
        assert http(f"http://127.0.0.1:{port}/healthz")[0] == 200
    finally:
        serve.send_signal(signal.SIGINT)
        assert serve.wait(30) == 0
    output = log.read_text()
    assert "Restarting with" in output, output  # Werkzeug's reloader
    assert "Stopped." in output and not port_open(port)


def test_leadcapture_serve_on_a_port_in_use_says_so_and_starts_nothing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(BIN / "leadcapture"), "serve", "--port", str(port), "--data-dir", str(tmp_path / "data")],
            env=env, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "--port" in result.stderr, result.stderr
    assert not (tmp_path / "data" / "redis").exists(), "nothing started"
