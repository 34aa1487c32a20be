"""Forecast benchmark (issue 4): which concept pairs become co-mentioned next?

On a graph holding the shared arXiv file (ingest it first, e.g. with bench_full_ingest.py), the
features come from the graph as it stood on 2025-12-31 and the positives are the pairs first
mentioned together in 2026-01..03; negatives are random pairs never mentioned together by
2026-03-31; both concepts of every pair have >= 3 papers by the cutoff. The model is fitted one
window earlier (graph of 2025-09-30, pairs first co-mentioned 2025-10..12), exactly as the product
validates itself. Baselines on the same pairs: preferential attachment, common neighbours,
Adamic-Adar. Also: pair-scoring throughput and peak memory.

    IDEAGRAPH_DATA_DIR=/path/to/full/graph python bench/bench_forecast.py
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


def main() -> None:
    import django

    django.setup()
    import numpy as np

    from ideation import forecast as fc
    from ideation.history import day_number
    from ideation.services import history_now

    started = time.perf_counter()
    history = history_now()
    history_s = time.perf_counter() - started
    started = time.perf_counter()
    trained = fc.forecast_train(history, end=day_number("2026-03-31"))
    train_s = time.perf_counter() - started
    assert trained.validation_cutoff == "2025-12-31", trained.validation_cutoff

    snapshot = history.snapshot()
    rng = np.random.default_rng(7)
    eligible = snapshot.eligible()
    a, b = rng.choice(eligible, 100_000), rng.choice(eligible, 100_000)
    started = time.perf_counter()
    fc.forecast_scores(trained.model, snapshot, a, b)
    throughput = len(a) / (time.perf_counter() - started)

    result = {
        "papers": len(history.paper_keys),
        "concepts_3plus": len(history.concept_keys),
        "test_pairs": trained.validation_pairs,
        "model_auc": round(trained.validation_auc, 4),
        "baseline_auc": {k: round(v, 4) for k, v in trained.baseline_auc.items()},
        "margin_over_best_baseline": round(
            trained.validation_auc - max(trained.baseline_auc.values()), 4
        ),
        "history_load_s": round(history_s, 1),
        "train_and_validate_s": round(train_s, 1),
        "pairs_scored_per_s": round(throughput),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
