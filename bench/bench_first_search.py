"""A fresh gunicorn worker's first search, as a user meets it: start gunicorn (one worker), load
the first page, wait as a person would before typing a query, then time `/api/search`. Several
runs, a fresh worker each; the median.

    python bench/bench_first_search.py --data-dir /tmp/demo [--runs 3] [--pause 5]

The services of the data dir must be running (`manage.py services start --no-workers`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_restart import first_page, gunicorn_start  # noqa: E402


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310 - loopback http
        response.read()
        assert response.status == 200, response.status
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pause", type=float, default=5.0, help="seconds between page and query")
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    env = {**os.environ, "IDEAGRAPH_DATA_DIR": str(args.data_dir), "HF_HUB_OFFLINE": "1"}
    runs = []
    for run in range(args.runs):
        web = gunicorn_start(args.port, env, workers=1)
        try:
            first_page(args.port)
            time.sleep(args.pause)
            base = f"http://127.0.0.1:{args.port}/api/search?q="
            first = timed_get(base + ["sycophancy", "reward+hacking", "jailbreak"][run % 3])
            second = timed_get(base + "sparse+autoencoder")
            runs.append({"first_search_s": round(first, 3), "second_search_s": round(second, 3)})
        finally:
            web.terminate()
            web.wait()
    print(
        json.dumps(
            {
                "runs": runs,
                "pause_s": args.pause,
                "median_first_search_s": statistics.median(r["first_search_s"] for r in runs),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
