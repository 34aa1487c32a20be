"""Novelty benchmark (issue 4): does the check tell published ideas from unpublished ones better
than embedding similarity alone?

On a graph holding the shared arXiv file, the literature is the papers published by 2025-12-31
(every check runs `as_of` that date). Idea statements are built the same way from two kinds of
paper: held-out papers published 2026-02..03 (their ideas were not yet published at the cutoff:
label novel) and papers published by the cutoff (their ideas are in the literature: label not
novel). A statement names the paper's three most prominent concepts (title first, then most
mentioned) in a fixed template, never its text. Scores: ROC-AUC of the novelty score against the
label, for ours and for the baseline, 1 - the highest cosine to any paper of the literature; and
how often each verdict is given per label. Some held-out statements name concepts an earlier
paper already mentions together: the check calls them not novel and cites that paper, the labels
call them novel; their share and the AUC without them are reported too.

    IDEAGRAPH_DATA_DIR=/path/to/full/graph python bench/bench_novelty.py [--n 300]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
CUTOFF = "2025-12-31"
HELD_OUT_FROM = "2026-02-01"


def statement(names: list[str]) -> str:
    a, b, c = names
    return f"Use {a} together with {b} to improve {c}."


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300, help="statements per label")
    args = parser.parse_args()
    import django

    django.setup()
    import numpy as np
    from sklearn.metrics import roc_auc_score

    from graph.factory import get_store
    from ideation.history import day_number
    from ideation.services import history_now, texts_novelty
    from index import embedding
    from index.selectors import nearest_keys
    from index.vectorindex import PAPERS

    history = history_now()
    store = get_store()
    cutoff, held_from = day_number(CUTOFF), day_number(HELD_OUT_FROM)
    rng = np.random.default_rng(11)
    held = np.flatnonzero(history.paper_day >= held_from)
    inside = np.flatnonzero(history.paper_day <= cutoff)
    items = []  # (label novel?, paper key, statement)
    for label, pool in ((1, held), (0, inside)):
        made = 0
        for row in rng.permutation(pool):
            key = history.paper_keys[int(row)]
            mentions = sorted(store.paper_mentions(key=key), key=lambda m: (not m[2], -m[1]))
            known = [k for k, _, _ in mentions if k in history.concept_index]
            if len(known) < 3:
                continue
            names = [history.concept_names[history.concept_index[k]] for k in known[:3]]
            items.append((label, key, statement(names)))
            made += 1
            if made == args.n:
                break
    labels = np.array([label for label, _, _ in items])
    texts = [text for _, _, text in items]
    started = time.perf_counter()
    vectors = embedding.encode(texts)
    baseline = []
    for vector in vectors:
        best = max(
            (
                score
                for key, score in nearest_keys(index=PAPERS, vector=vector, limit=200)
                if key in history.paper_index
                and history.paper_day[history.paper_index[key]] <= cutoff
            ),
            default=0.0,
        )
        baseline.append(1 - best)
    baseline_s = time.perf_counter() - started
    started = time.perf_counter()
    results = texts_novelty(texts=texts, as_of=CUTOFF)
    ours = [result.score for result in results]
    verdicts = [result.verdict for result in results]
    seconds = time.perf_counter() - started

    def verdict_shares(label: int) -> dict[str, float]:
        chosen = [v for v, lab in zip(verdicts, labels, strict=True) if lab == label]
        return {
            v: round(chosen.count(v) / len(chosen), 3) for v in ("novel", "uncertain", "not_novel")
        }

    # A held-out statement whose concepts some paper before the cutoff already mentions together
    # is not novel by the check's own rule (it cites that paper); the labels call it novel. The
    # AUC without those statements says how well the check ranks the rest.
    covered = np.array(
        [r.evidence.co_mentioning_count > 0 and len(r.evidence.concepts) >= 2 for r in results]
    )
    rest = (labels == 0) | ~covered
    result = {
        "statements": {"held_out_novel": int(labels.sum()), "published": int((1 - labels).sum())},
        "held_out_already_co_mentioned": round(float(covered[labels == 1].mean()), 3),
        "auc_ours_without_those": round(
            float(roc_auc_score(labels[rest], np.asarray(ours)[rest])), 4
        ),
        "example": texts[0],
        "auc_ours": round(float(roc_auc_score(labels, ours)), 4),
        "auc_embedding_only": round(float(roc_auc_score(labels, baseline)), 4),
        "verdicts_for_held_out": verdict_shares(1),
        "verdicts_for_published": verdict_shares(0),
        "checks_per_s": round(len(texts) / seconds, 1),
        "embedding_only_checks_per_s": round(len(texts) / baseline_s, 1),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
