"""A run whose worker died is not taken for one still running elsewhere."""

import os
import subprocess
import time

import pytest

from experiments.services import _is_zombie

pytestmark = pytest.mark.fast


def test_a_dead_process_not_yet_reaped_is_not_running():
    child = subprocess.Popen(["true"])
    try:
        deadline = time.monotonic() + 10
        while not _is_zombie(child.pid) and time.monotonic() < deadline:
            time.sleep(0.05)  # exited, not waited for: a zombie that still answers signal 0
        os.kill(child.pid, 0)
        assert _is_zombie(child.pid)
    finally:
        child.wait()
    assert not _is_zombie(os.getpid())
