"""The README's quick start on a fresh machine: its two commands, from a copy of
the repository with no virtual environment, on Debian's own ``python3`` — which
refuses ``pip install`` outside a virtual environment (PEP 668). Nothing is
pre-installed: ``./run`` creates ``.venv`` and installs every dependency from
the package index (pip's download cache may be warm; a dependency missing from
pyproject.toml still fails here)."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from capture.embedded_redis import free_port
from tests.availability import missing
from tests.processes import http, wait_for

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = Path("/usr/bin/python3")
# What a checkout has that a fresh clone does not.
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", ".leadcapture", ".pytest_cache", ".ruff_cache",
    "test-artifacts", "build", "dist", "node_modules",
)  # fmt: skip


def readme_commands() -> list[str]:
    """The quick start's code block: the README's two commands."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Quick start.*?```sh\n(.*?)```", readme, re.DOTALL)
    assert block, "README has a Quick start with a sh code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def externally_managed(python: Path) -> bool:
    stdlib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return (Path(stdlib) / "EXTERNALLY-MANAGED").exists()


def test_the_readme_quick_start_is_two_commands_through_run() -> None:
    assert readme_commands() == ["./run leadcapture serve", "./run pytest"]
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().endswith("\n./run pytest"), "CI runs exactly the README's test command"
    assert ".venv/" in (ROOT / ".gitignore").read_text().splitlines()


@pytest.mark.faults
@pytest.mark.timeout(900)
def test_the_readme_quick_start_on_a_fresh_machine(tmp_path: Path) -> None:
    if not SYSTEM_PYTHON.exists() or not externally_managed(SYSTEM_PYTHON):
        missing("needs Debian's python3 (/usr/bin/python3, externally managed: PEP 668)")
    clone = tmp_path / "leadcapture"
    shutil.copytree(ROOT, clone, ignore=NOT_IN_A_CLONE, symlinks=True)
    tools = tmp_path / "bin"  # `python3` is Debian's, whatever this machine's PATH prefers
    tools.mkdir()
    (tools / "python3").symlink_to(SYSTEM_PYTHON)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")},
        "PATH": f"{tools}:/usr/bin:/bin",
    }
    refused = subprocess.run(
        ["python3", "-m", "pip", "install", "--dry-run", "leadcapture"],
        cwd=clone, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert refused.returncode != 0, "the system Python refuses pip install (or has no pip at all)"

    # The first command: it makes .venv, installs, and serves until Ctrl-C.
    port = free_port()
    log = tmp_path / "serve.log"
    started = time.monotonic()
    with log.open("wb") as sink:
        serve = subprocess.Popen(
            [*readme_commands()[0].split(), "--port", str(port), "--data-dir", str(tmp_path / "data")],
            cwd=clone, env=env, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        wait_for(
            lambda: "Press Ctrl-C to stop" in log.read_text() or serve.poll() is not None,
            840,
            interval=0.5,
            what="./run leadcapture serve to install and start",
        )
        assert serve.poll() is None, log.read_text()
        first = time.monotonic() - started
        assert http(f"http://127.0.0.1:{port}/healthz")[0] == 200
    finally:
        with contextlib.suppress(ProcessLookupError):  # Ctrl-C: the terminal signals the foreground group
            os.killpg(serve.pid, signal.SIGINT)
        code = serve.wait(60)
    output = log.read_text()
    assert code == 0 and "Stopped." in output, output
    assert (clone / ".venv" / "bin" / "leadcapture").exists()

    # The second command, from the same state: the same .venv, nothing installed again.
    started = time.monotonic()
    tests = subprocess.run(
        [*readme_commands()[1].split(), "-q", "-p", "no:cacheprovider", "tests/test_settings.py"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    second = time.monotonic() - started
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "passed" in tests.stdout and "Installing" not in tests.stdout
    print(f"fresh .venv + install + serve ready: {first:.0f}s; ./run pytest (one file): {second:.1f}s")


@pytest.mark.parametrize(
    ("pretends", "says"),
    [
        ("*ensurepip*) exit 1 ;;", "sudo apt install python3-venv"),
        (
            "*version_info*) exit 1 ;; *python_version*) echo 3.10.12 ;;",
            "needs Python 3.11 or newer; python3 is 3.10.12",
        ),
    ],
    ids=["no-venv-module", "python-too-old"],
)
def test_run_says_in_plain_words_what_the_machine_lacks(tmp_path: Path, pretends: str, says: str) -> None:
    """Without Debian's python3-venv, or with a Python older than 3.11, ./run
    stops before making anything and says what to install."""
    clone = tmp_path / "leadcapture"
    clone.mkdir()
    shutil.copy2(ROOT / "run", clone / "run")
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "python3"
    fake.write_text(f'#!/bin/sh\ncase "$*" in {pretends} esac\nexec {sys.executable} "$@"\n')
    fake.chmod(0o755)
    result = subprocess.run(
        ["./run", "pytest"], cwd=clone, env={**os.environ, "PATH": f"{tools}:/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert says in result.stderr, result.stderr
    assert not (clone / ".venv").exists()
