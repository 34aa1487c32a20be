"""Real processes for tests: a Celery worker and the web server, on the test data dir, database
and graph, so that what they write the test sees and the other way round."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings


def subprocess_env(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "IDEAGRAPH_DATA_DIR": str(settings.DATA_DIR),
        "DJANGO_SETTINGS_MODULE": "webapp.settings",
        "DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}",
        "GRAPH_NAME": settings.GRAPH_NAME,
        "HF_HUB_OFFLINE": "1",
        **overrides,
    }


def _spawn(args: list[str], log_path: Path, **env_overrides: str) -> subprocess.Popen:
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=subprocess_env(**env_overrides),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def start_worker(
    log_path: Path, queues: str = "ingest,index", concurrency: int = 1, **env: str
) -> subprocess.Popen:
    return _spawn(
        ["-m", "celery", "-A", "webapp", "worker", "-Q", queues, "--concurrency", str(concurrency),
         "-n", f"test-{time.monotonic_ns()}@%h", "--without-heartbeat", "--without-gossip",
         "--without-mingle"],
        log_path, **env,
    )  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_webserver(log_path: Path) -> tuple[subprocess.Popen, str]:
    """The web app as `scripts/run` serves it (gunicorn, DEBUG off) on a free loopback port,
    returning once it answers."""
    port = free_port()
    server = _spawn(
        ["-m", "gunicorn", "webapp.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--threads", "4", "--timeout", "120"],
        log_path,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if server.poll() is not None:
            raise AssertionError(f"the server exited: {log_path.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    wait_for(answers, 60, "the web server")
    return server, url


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=60)


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
