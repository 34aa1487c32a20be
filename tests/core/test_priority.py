"""Batch work runs nicer than the web server."""

import os
import subprocess
import sys

import pytest

from core.priority import background_command

pytestmark = pytest.mark.fast


def test_a_batch_process_lowers_its_priority_once(settings):
    code = (
        "import os, django; django.setup()\n"
        "from core.priority import background_priority_set\n"
        "before = os.nice(0); background_priority_set(); background_priority_set()\n"
        "print(os.nice(0) - before)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "webapp.settings",
           "IDEAGRAPH_BACKGROUND_NICE": "7"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "7", out.stderr


def test_workers_start_under_nice_unless_turned_off(settings):
    settings.BACKGROUND_NICE = 10
    command = background_command(["celery", "worker"])
    assert command[-2:] == ["celery", "worker"] and command[1:3] == ["-n", "10"]
    settings.BACKGROUND_NICE = 0
    assert background_command(["celery", "worker"]) == ["celery", "worker"]


@pytest.mark.server
def test_batch_work_starts_the_server_before_yielding_the_cpu(tmp_path):
    """The embedded server answers the pages too: started by a niced `ingest --sync` on a fresh
    data dir, it stayed niced for its life."""
    code = (
        "import os, django; django.setup()\n"
        "from core import embedded\n"
        "before = os.nice(0); embedded.background_work_begin()\n"
        "pid = embedded.server_status().pid\n"
        "print(os.getpriority(os.PRIO_PROCESS, pid) - before, os.nice(0) - before)\n"
        "embedded.server_stop()"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "webapp.settings",
           "IDEAGRAPH_DATA_DIR": str(tmp_path), "IDEAGRAPH_BACKGROUND_NICE": "7"}  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip().splitlines()[-1] == "0 7", out.stderr[-2000:]
