"""Ideation speed (issue 4): a 50-idea batch with the offline writer, as a person runs it
(`manage.py ideate --n 50 --sync` in a fresh process), on a graph holding the shared arXiv file.

Runs, in order: `train_forecast` (with --cold, after dropping the cached history, so it is read
from the graph again), then the batch twice (the first with the forecast model
already trained, the second likewise: run-to-run spread). Reports wall times and the peak memory
of each process.

    IDEAGRAPH_DATA_DIR=/path/to/full/graph python bench/bench_ideate.py [--n 50]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MiB) and the last output line of one manage.py command."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *args], stdout=log, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        log.seek(0)
        lines = log.read().strip().splitlines()
    if status:
        raise SystemExit(f"{args[0]} failed: " + "\n".join(lines[-20:]))
    return wall, round(usage.ru_maxrss / 1024), lines[-1] if lines else ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--cold", action="store_true", help="first drop the cached history")
    args = parser.parse_args()
    data_dir = Path(os.environ["IDEAGRAPH_DATA_DIR"])
    if args.cold:
        (data_dir / "ideation" / "history.npz").unlink(missing_ok=True)
    result = {}
    wall, peak, line = run(["train_forecast"])
    result["train_forecast"] = {"wall_s": round(wall, 1), "peak_rss_mib": peak, "out": line}
    for attempt in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "ideas.jsonl"
            wall, peak, _ = run(
                ["ideate", "--n", str(args.n), "--sync", "--repeats", "--out", str(out)]
            )
            ideas = [json.loads(line) for line in out.read_text().splitlines()]
        result[f"batch_{attempt}"] = {
            "wall_s": round(wall, 1),
            "peak_rss_mib": peak,
            "ideas": len(ideas),
            "verdicts": {
                v: sum(i["novelty"]["verdict"] == v for i in ideas)
                for v in ("novel", "uncertain", "not_novel")
            },  # fmt: skip
            "top_titles": [i["title"] for i in ideas[:5]],
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
