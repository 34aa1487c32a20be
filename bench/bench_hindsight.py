"""Hindsight check of idea batches (issue 12), as HindSight and Science4Cast judge forecasts.

Build a graph from the cs.AI / cs.CL / cs.LG papers of the shared arXiv listing first seen up to
a cutoff (every `--every`-th paper, so it stays a few thousand to ten thousand papers), ask for
`--n` ranked ideas, and count how many ideas' (method, target) pairs are mentioned together by
papers of the same categories after the cutoff (2026-01..03 by default; concepts found in them
by the same extractor, nothing ingested). The baseline: random pairs of concepts of the same
kinds, never mentioned together before the cutoff, with the same paper counts (log2 bins) as the
ideas' concepts; and the same drawn only from the concepts the product may pair (its roles'
methods and targets), which asks whether the ranking beats chance among what it may choose. Also
reads the batch as the issue's reading check does: the share of ideas
naming a broad generic concept, and the share pairing two names with a content word in common.

    python bench/bench_hindsight.py --data-dir /tmp/hindsight [--every 2] [--n 100] [--json]

It ingests into its own data dir (minutes); a second run reuses the graph.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("IDEAGRAPH_SHARED_DATA", ROOT.parent / "shared" / "data"))
CATEGORIES = ("cs.AI", "cs.CL", "cs.LG")


def split(cutoff: str, end: str, every: int) -> tuple[list[dict], list[dict]]:
    before, after = [], []
    with gzip.open(SHARED / "arxiv_cs_2025-03_2026-03.jsonl.gz", "rt") as handle:
        for i, line in enumerate(handle):
            paper = json.loads(line)
            if paper["categories"][0] not in CATEGORIES:
                continue
            day = paper["first_seen"][:10]
            if day <= cutoff and i % every == 0:
                before.append(paper)
            elif cutoff < day <= end:
                after.append(paper)
    return before, after


def manage(data_dir: Path, *args: str) -> str:
    env = {**os.environ, "IDEAGRAPH_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    run = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True
    )
    if run.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{run.stderr[-3000:]}")
    return run.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--cutoff", default="2025-12-31")
    parser.add_argument("--end", default="2026-03-31")
    parser.add_argument("--every", type=int, default=2)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    before, after = split(args.cutoff, args.end, args.every)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    papers_file = args.data_dir / "before.jsonl"
    timings = {}
    if not papers_file.exists():
        papers_file.write_text("".join(json.dumps(p) + "\n" for p in before))
        started = time.perf_counter()
        manage(args.data_dir, "ingest", "--file", str(papers_file), "--sync")
        timings["ingest_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    ideas_file = args.data_dir / "ideas.jsonl"
    manage(
        args.data_dir, "ideate", "--n", str(args.n), "--sync", "--repeats", "--out", str(ideas_file)
    )
    timings["ideate_s"] = round(time.perf_counter() - started, 1)
    ideas = [json.loads(line) for line in ideas_file.read_text().splitlines()]

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    os.environ["IDEAGRAPH_DATA_DIR"] = str(args.data_dir)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import numpy as np

    from ideation.candidates import CandidateQuery, roles, share_a_word
    from ideation.models import Idea
    from ideation.services import history_now, snapshot_now
    from ingest.extraction import Extractor
    from ingest.merges import concepts_merged
    from ingest.selectors import concept_merge_map
    from ingest.termhood import phrase_is_generic

    history = history_now()
    snapshot = snapshot_now(history)
    extractor = Extractor()
    merged = concept_merge_map()  # a later paper counts as the graph would count it
    later: Counter[tuple[str, str]] = Counter()
    for paper in after:
        found = extractor.extract(f"{paper['title']}. {paper['abstract']}")
        keys = sorted({c.key for c in concepts_merged(found, merged)})
        later.update((a, b) for i, a in enumerate(keys) for b in keys[i + 1 :])

    def realised(a: str, b: str) -> bool:
        return later[(min(a, b), max(a, b))] > 0

    rows = list(Idea.objects.filter(pk__in=[i["id"] for i in ideas]).order_by("rank"))
    pairs = [(r.concepts[0]["key"], r.concepts[1]["key"]) for r in rows]
    index = history.concept_index
    before_pairs = [
        snapshot.co_mentions(np.array([index[a]]), np.array([index[b]]))[0] > 0 for a, b in pairs
    ]
    hits = [realised(a, b) for a, b in pairs]
    # Baseline: never co-mentioned pairs, same kinds and log2 paper-count bins as the ideas'.
    rng = random.Random(args.seed)
    bins: dict[tuple[str, int], list[int]] = {}
    for i in snapshot.eligible():
        kind = history.concept_kinds[i]
        bins.setdefault((kind, int(np.log2(snapshot.papers[i]))), []).append(int(i))

    def matched_baseline(method_ok: np.ndarray, target_ok: np.ndarray) -> list[bool]:
        taken_up = []
        for a, b in pairs:
            ia, ib = index[a], index[b]
            pool_a = bins[(history.concept_kinds[ia], int(np.log2(snapshot.papers[ia])))]
            pool_b = bins[(history.concept_kinds[ib], int(np.log2(snapshot.papers[ib])))]
            pool_a = [x for x in pool_a if method_ok[x]] or pool_a
            pool_b = [y for y in pool_b if target_ok[y]] or pool_b
            for _ in range(20):  # 20 matched random pairs per idea
                for _attempt in range(50):
                    x, y = rng.choice(pool_a), rng.choice(pool_b)
                    if x != y and snapshot.co_mentions(np.array([x]), np.array([y]))[0] == 0:
                        taken_up.append(realised(history.concept_keys[x], history.concept_keys[y]))
                        break
        return taken_up

    anything = np.ones(len(history.concept_keys), dtype=bool)
    baseline = matched_baseline(anything, anything)
    # The same drawn only from concepts the product may pair (a method that can be the
    # intervention, a target that may be a problem): does the ranking beat chance among what it
    # may choose, whatever its filters take out?
    allowed = matched_baseline(*roles(snapshot, CandidateQuery()))
    generic = [
        any(phrase_is_generic(c["name"].split(), strict=True) for c in r.concepts) for r in rows
    ]
    shared = [share_a_word(r.concepts[0]["name"], r.concepts[1]["name"]) for r in rows]
    sentences: Counter[str] = Counter()
    for r in rows:
        text = " ".join([r.problem, r.hypothesis, r.method, r.expected, r.risks])
        sentences.update({s.strip() for s in text.split(". ") if s.strip()})
    repeated = sum(1 for n in sentences.values() if n > 3)
    concept_uses = Counter(c["key"] for r in rows for c in r.concepts)
    rate = sum(hits) / max(len(hits), 1)
    # What in an idea's score goes with being taken up: realised ideas by the strength of their
    # reason (the score's precedent part) and by their forecast percentile's half, and in the
    # top half of the displayed order.
    by_reason: dict[str, list[int]] = {}
    by_forecast: dict[str, list[int]] = {"top half": [0, 0], "bottom half": [0, 0]}
    for row, hit in zip(rows, hits, strict=True):
        reason = ("precedent " if "was used on" in row.problem else "") + str(
            row.breakdown["precedent"]["value"]
        )
        tally = by_reason.setdefault(reason, [0, 0])
        tally[0] += hit
        tally[1] += 1
        half = "top half" if row.breakdown["forecast"]["value"] >= 0.5 else "bottom half"
        by_forecast[half][0] += hit
        by_forecast[half][1] += 1
    top = len(rows) // 2
    base = sum(baseline) / max(len(baseline), 1)
    base_allowed = sum(allowed) / max(len(allowed), 1)
    results = {
        "graph_papers": len(before),
        "later_papers": len(after),
        "ideas": len(rows),
        "realised": sum(hits),
        "realised_rate": round(rate, 4),
        "baseline_pairs": len(baseline),
        "baseline_rate": round(base, 4),
        "lift": round(rate / base, 2) if base else None,
        "baseline_rate_among_allowed": round(base_allowed, 4),
        "lift_among_allowed": round(rate / base_allowed, 2) if base_allowed else None,
        "already_co_mentioned_before_cutoff": round(sum(before_pairs) / max(len(rows), 1), 4),
        "naming_a_generic_concept": round(sum(generic) / max(len(rows), 1), 4),
        "sharing_a_content_word": round(sum(shared) / max(len(rows), 1), 4),
        "sentences_in_more_than_3_ideas": repeated,
        "most_ideas_per_concept": max(concept_uses.values(), default=0),
        "with_a_precedent": sum(1 for r in rows if "was used on" in r.problem),
        "realised_by_reason_strength": {
            k: f"{h} of {n}" for k, (h, n) in sorted(by_reason.items())
        },
        "realised_by_forecast": {k: f"{h} of {n}" for k, (h, n) in by_forecast.items()},
        "realised_in_top_half_by_rank": f"{sum(hits[:top])} of {top}",
        "timings": timings,
        "sample": [r.title for r in rows[:10]],
        "realised_ideas": [r.title for r, hit in zip(rows, hits, strict=True) if hit],
    }
    print(
        json.dumps(results, indent=2)
        if args.json
        else "\n".join(f"{k}: {v}" for k, v in results.items())
    )


if __name__ == "__main__":
    main()
