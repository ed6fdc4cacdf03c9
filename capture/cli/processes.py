"""Child processes of the CLI: stopping a process group cleanly, and turning
SIGTERM into the same path as Ctrl-C."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import Any


def raise_keyboard_interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # warm shutdown: the current job finishes
        process.wait(timeout)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
