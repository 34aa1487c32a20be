"""Forecast benchmark (issues 4, 12): which concept pairs become co-mentioned next?

On a graph holding (part of) the shared arXiv file, the features come from the graph as it stood
on 2025-12-31 and the positives are the pairs first mentioned together in 2026-01..03; negatives
are random pairs never mentioned together by 2026-03-31; both concepts of every pair have >= 3
papers by the cutoff. The model is fitted one window earlier (graph of 2025-09-30, pairs first
co-mentioned 2025-10..12), exactly as the product validates itself. Baselines on the same pairs:
preferential attachment, common neighbours, Adamic-Adar. `--months 6` keeps only the papers of
the last 6 months (2025-10..2026-03), so the horizon shrinks to what that history allows. Also:
calibration on the test window (predicted against observed rates, weighted back to the real
share of new pairs), pair-scoring throughput and peak memory.

    IDEAGRAPH_DATA_DIR=/path/to/graph python bench/bench_forecast.py [--months 12|6]
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")


def last_months(history, months: int, end: str):
    """The history with only the papers of the `months` calendar months up to `end`."""
    import dataclasses

    import numpy as np

    from ideation.forecast import month_back
    from ideation.history import day_number

    rows = np.flatnonzero(history.paper_day > month_back(day_number(end), months))
    return dataclasses.replace(
        history,
        paper_keys=[history.paper_keys[i] for i in rows],
        paper_day=history.paper_day[rows],
        paper_field=history.paper_field[rows],
        incidence=history.incidence[rows],
        paper_vectors=history.paper_vectors[rows],
        version=f"{history.version}/last{months}",
    )


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=0, help="history kept (0: all)")
    args = parser.parse_args()
    import django

    django.setup()
    import numpy as np

    from ideation import forecast as fc
    from ideation.history import day_number
    from ideation.services import history_now

    end = "2026-03-31"
    started = time.perf_counter()
    history = history_now()
    if args.months:
        history = last_months(history, args.months, end)
    history_s = time.perf_counter() - started
    started = time.perf_counter()
    trained = fc.forecast_train(history, end=day_number(end))
    train_s = time.perf_counter() - started

    snapshot = history.snapshot()
    rng = np.random.default_rng(7)
    eligible = snapshot.eligible()
    a, b = rng.choice(eligible, 100_000), rng.choice(eligible, 100_000)
    started = time.perf_counter()
    fc.forecast_scores(trained.model, snapshot, a, b)
    throughput = len(a) / (time.perf_counter() - started)

    result = {
        "papers": len(history.paper_keys),
        "history_months": fc.months_of_history(history, day_number(end)),
        "horizon_months": trained.horizon_months,
        "windows": [trained.train_cutoff, trained.validation_cutoff, trained.end],
        "concepts_3plus": len(history.concept_keys),
        "test_pairs": trained.validation_pairs,
        "model_auc": round(trained.validation_auc, 4),
        "baseline_auc": {k: round(v, 4) for k, v in trained.baseline_auc.items()},
        "margin_over_best_baseline": round(
            trained.validation_auc - max(trained.baseline_auc.values()), 4
        ),
        "calibration": trained.calibration,
        "history_load_s": round(history_s, 1),
        "train_and_validate_s": round(train_s, 1),
        "pairs_scored_per_s": round(throughput),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
