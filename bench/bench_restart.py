"""Restart of an existing data dir to the first answered page, as a user restarts: stop the
services, then `manage.py services start --no-workers` and gunicorn (2 workers x 2 threads,
DEBUG off), polling `/` until it answers 200. Several runs; the server's own load time is read
from its log.

    python bench/bench_restart.py --data-dir /tmp/full54k [--runs 3] [--port 8765]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_page(port: int, limit_s: float = 600) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    sys.exit(f"no page within {limit_s} s")


def gunicorn_start(port: int, env: dict, *, workers: int) -> subprocess.Popen:
    """gunicorn serving the app on loopback, `workers` x 2 threads, DEBUG off."""
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "webapp.wsgi", "-w", str(workers), "--threads", "2",
         "-b", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def server_load_s(data_dir: Path) -> float | None:
    """The last 'DB loaded from disk: N seconds' of the embedded server's log."""
    log = data_dir / "server" / "redis.log"
    if not log.exists():
        return None
    found = re.findall(r"DB loaded from \S.*?: ([0-9.]+) seconds", log.read_text(errors="replace"))
    return float(found[-1]) if found else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    env = {**os.environ, "IDEAGRAPH_DATA_DIR": str(args.data_dir), "HF_HUB_OFFLINE": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    runs = []
    for _ in range(args.runs):
        subprocess.run([*manage, "services", "stop"], env=env, check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run([*manage, "services", "start", "--no-workers"], env=env, check=True)
        web = gunicorn_start(args.port, env, workers=2)
        try:
            first_page(args.port)
            runs.append(
                {
                    "first_page_s": round(time.perf_counter() - started, 2),
                    "server_load_s": server_load_s(args.data_dir),
                }
            )
        finally:
            web.terminate()
            web.wait()
    subprocess.run([*manage, "services", "stop"], env=env, check=True, capture_output=True)
    print(
        json.dumps(
            {
                "runs": runs,
                "median_first_page_s": statistics.median(r["first_page_s"] for r in runs),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
