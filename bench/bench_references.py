"""Measure each registered template's baseline (its standard recipe at the default parameters)
and write the results to runner/references/<template>-v<version>.json.

Specs are pre-registered against these figures: a success criterion the baseline already meets
cannot test anything, so the spec page flags it and dispatch refuses it unless confirmed.
Re-run after changing a template (its version then changes too).

    python bench/bench_references.py [--seeds 0,1,2] [--template NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--template", default="")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]

    import torch

    from runner.execute import experiment_execute
    from runner.registry import REFERENCES, Plan, templates_all

    for template in templates_all():
        if args.template and template.name != args.template:
            continue
        params = {**template.defaults, **template.baseline}
        started = time.perf_counter()
        report = experiment_execute(
            plan=Plan(template.name, template.baseline, {}, seeds),
            out_dir=Path(tempfile.mkdtemp(prefix=f"reference-{template.name}-")),
            log=lambda line: None,
        )
        seconds = time.perf_counter() - started
        runs = [run["metrics"] for run in report["runs"]]
        reference = {
            "template": template.name,
            "version": template.version,
            "baseline": template.baseline_name,
            "params": params,
            "seeds": seeds,
            "metrics": {
                name: round(statistics.fmean(run[name] for run in runs), 6)
                for name in template.metric_names
            },
            "sd": {
                name: round(statistics.stdev(run[name] for run in runs), 6) if len(runs) > 1 else 0
                for name in template.metric_names
            },
            "measured": f"{date.today()} on {platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores, torch {torch.__version__}, {seconds:.0f} s",
        }
        REFERENCES.mkdir(exist_ok=True)
        path = REFERENCES / f"{template.name}-v{template.version}.json"
        path.write_text(json.dumps(reference, indent=2) + "\n")
        print(json.dumps(reference))


if __name__ == "__main__":
    main()
