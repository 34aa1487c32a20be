"""SAE template benchmark (issue 5): does the default configuration of `sae_superposition`
recover the toy features (MMCS >= 0.9), and how long do the default run and the grid that the
offline rules draft (sparsity method x dictionary size) take on this machine?

    python bench/bench_sae.py [--seeds 0,1] [--out DIR]

Runs in-process through the same executor the gpu worker uses (runner.execute), after the
runner's own validation. Prints one JSON object per run and a summary."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="bench-sae-")))
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]

    import torch

    from runner.execute import experiment_execute
    from runner.registry import Plan, template_get

    template = template_get("sae_superposition")
    features = template.defaults["n_features"]
    plans = {
        "default": Plan(template.name, {}, {}, seeds),
        "drafted grid": Plan(
            template.name,
            {},
            {"sparsity_method": ["l1", "topk"], "dict_size": [features, 2 * features]},
            seeds,
        ),
    }
    summary = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }
    for name, plan in plans.items():
        started = time.perf_counter()
        report = experiment_execute(plan=plan, out_dir=args.out / name.replace(" ", "-"),
                                    log=lambda line: None)  # fmt: skip
        seconds = time.perf_counter() - started
        for run in report["runs"]:
            print(json.dumps({"plan": name, "condition": run["condition"], "seed": run["seed"],
                              "seconds": run["seconds"], **run["metrics"]}))  # fmt: skip
        summary[name] = {
            "runs": len(report["runs"]),
            "wall_seconds": round(seconds, 1),
            "device": report["device"],
            "mmcs_min": min(r["metrics"]["mmcs"] for r in report["runs"]),
            "mmcs_max": max(r["metrics"]["mmcs"] for r in report["runs"]),
        }
    summary["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
