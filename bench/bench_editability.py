"""Which training choices make the toy transformer of `knowledge_editing` more editable?

Issue 14's grid, one factor at a time around the template's default (a full factorial would
not fit on two CPU cores): depth, MLP width, weight decay and dropout, each varied alone. Every
configuration trains its own model on the synthetic facts and is edited with the rank-one
method (ROME-style) and with constrained fine-tuning (the baseline), on the same seeds.

    python bench/bench_editability.py [--seeds 0,1] [--methods rome,ft] [--json]

Prints a markdown table of means (and seed sd of the edit score) for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIATIONS: list[tuple[str, dict]] = [
    ("default (depth 4, MLP x4, wd 0.01, dropout 0)", {}),
    ("depth 2", {"depth": 2}),
    ("depth 6", {"depth": 6}),
    ("MLP x1", {"mlp_multiplier": 1}),
    ("MLP x8", {"mlp_multiplier": 8}),
    ("weight decay 0", {"weight_decay": 0.0}),
    ("weight decay 0.1", {"weight_decay": 0.1}),
    ("dropout 0.1", {"dropout": 0.1}),
]
SHOWN = ("fact_accuracy", "efficacy", "paraphrase", "specificity", "retention", "edit_score")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--methods", default="rome,ft")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]

    from runner.execute import experiment_execute
    from runner.registry import Plan

    rows = []
    for method in args.methods.split(","):
        for label, change in VARIATIONS:
            started = time.perf_counter()
            report = experiment_execute(
                plan=Plan("knowledge_editing", {**change, "edit_method": method}, {}, seeds),
                out_dir=Path(tempfile.mkdtemp(prefix="editability-")),
                log=lambda line: None,
            )
            runs = [run["metrics"] for run in report["runs"]]
            row = {
                "method": method,
                "variation": label,
                "seconds": round(time.perf_counter() - started, 1),
                **{name: statistics.fmean(run[name] for run in runs) for name in SHOWN},
                "edit_score_sd": statistics.stdev(r["edit_score"] for r in runs)
                if len(runs) > 1
                else 0.0,
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        "| method | training variation | facts known | efficacy | paraphrase | specificity "
        "| retention | edit score (sd) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['method']} | {row['variation']} | {row['fact_accuracy']:.3f} "
            f"| {row['efficacy']:.3f} | {row['paraphrase']:.3f} | {row['specificity']:.3f} "
            f"| {row['retention']:.3f} | {row['edit_score']:.3f} ({row['edit_score_sd']:.3f}) |"
        )


if __name__ == "__main__":
    main()
