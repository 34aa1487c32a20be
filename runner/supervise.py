"""Supervision of one experiment as a child process (`python -m runner PLAN OUT`): start it so
it dies with its parent, beat a heartbeat while it runs, stop it on a cancel request or at its
wall-time limit. The caller says how to beat and how to ask for a cancel (the gpu worker reads
and writes its database row); nothing here knows about Django."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

POLL_SECONDS = 0.5
HEARTBEAT_SECONDS = 10


class Ending(StrEnum):
    EXITED = "exited"  # on its own; see the return code
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"


@dataclass(frozen=True)
class Outcome:
    ending: Ending
    returncode: int | None


def _die_with_parent() -> None:
    """In the child: get SIGKILL when the worker process dies, so a lost worker leaves no
    experiment running unattended (Linux prctl PR_SET_PDEATHSIG)."""
    import ctypes

    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def plan_supervise(
    *,
    plan_path: Path,
    out_dir: Path,
    log_path: Path,
    time_limit_seconds: float,
    cancel_requested: Callable[[], bool],
    heartbeat: Callable[[], None],
    cwd: Path | None = None,
) -> Outcome:
    """Run the plan in a child process to its end, a cancel, or the time limit."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own module, arguments are file paths
            [sys.executable, "-m", "runner", str(plan_path), str(out_dir)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - no threads start before exec
        )
    clock = beat = time.monotonic()
    while process.poll() is None:
        time.sleep(POLL_SECONDS)
        if time.monotonic() - beat > HEARTBEAT_SECONDS:
            beat = time.monotonic()
            heartbeat()
        if cancel_requested():
            _stop(process)
            return Outcome(Ending.CANCELLED, process.returncode)
        if time.monotonic() - clock > time_limit_seconds:
            _stop(process)
            return Outcome(Ending.TIMED_OUT, process.returncode)
    return Outcome(Ending.EXITED, process.returncode)
