"""Histories built directly (no store), so forecasting and candidates can be tested on graphs
whose dynamics the test controls."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ideation.history import History, day_number, fights_table, uses_table


def history_from(
    papers: list[tuple],
    *,
    vectors: dict[str, list[float]] | None = None,
    kinds: dict[str, str] | None = None,
) -> History:
    """papers: (ISO date, primary category, concept keys[, text]); the text, where given, is
    read for stated uses as the store's abstracts are (concept names: keys with spaces)."""
    concept_keys: list[str] = []
    index: dict[str, int] = {}
    rows, cols = [], []
    for row, (_, _, concepts, *_) in enumerate(papers):
        for key in dict.fromkeys(concepts):
            rows.append(row)
            cols.append(index.setdefault(key, len(index)))
    concept_keys = list(index)
    fields = sorted({paper[1] for paper in papers})
    dim = len(next(iter(vectors.values()))) if vectors else 4
    matrix = np.zeros((len(concept_keys), dim), dtype=np.float32)
    for key, vector in (vectors or {}).items():
        if key in index:
            matrix[index[key]] = np.asarray(vector) / np.linalg.norm(vector)
    names = [key.replace("_", " ") for key in concept_keys]
    concept_kinds = [(kinds or {}).get(key, "other") for key in concept_keys]
    incidence = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(len(papers), len(concept_keys)),
    )
    texts = [paper[3] if len(paper) > 3 else "" for paper in papers]
    return History(
        paper_keys=[f"p{i}" for i in range(len(papers))],
        paper_day=np.asarray([day_number(paper[0]) for paper in papers], dtype=np.int32),
        paper_field=np.asarray([fields.index(paper[1]) for paper in papers], dtype=np.int32),
        fields=fields,
        concept_keys=concept_keys,
        concept_names=names,
        concept_kinds=concept_kinds,
        concept_aliases=[()] * len(concept_keys),
        incidence=incidence,
        vectors=matrix,
        paper_vectors=_paper_vectors(rows, cols, matrix, len(papers)),
        version="test",
        uses=uses_table(names, concept_kinds, incidence, texts),
        fights=fights_table(names, concept_kinds, incidence, texts),
    )


def _paper_vectors(rows, cols, concept_vectors, papers: int) -> np.ndarray:
    """A paper's vector: the mean of its concepts' vectors, normalised."""
    out = np.zeros((papers, concept_vectors.shape[1]), dtype=np.float32)
    np.add.at(out, rows, concept_vectors[cols])
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def month_days(months: int, start: str = "2025-01") -> list[str]:
    first = np.datetime64(start, "M")
    return [str((first + m).astype("datetime64[D]") + 9) for m in range(months)]


def growing_history(seed: int = 0, months: int = 12, concepts: int = 80) -> History:
    """A learnable history in two fields: 8 clusters of 10 concepts on a ring (clusters
    alternate between cs.LG and cs.CR). Each paper mentions two concepts of one cluster whose ring
    distance is at most the month's reach, which grows every two months, so pairs that share many
    neighbours now are the ones mentioned together next. A few noise papers join any two concepts
    of the same field."""
    rng = np.random.default_rng(seed)
    keys = [f"c{i}" for i in range(concepts)]
    clusters = concepts // 10
    papers = []
    for month, day in enumerate(month_days(months)):
        reach = 1 + month // 2
        for _ in range(80):
            cluster = int(rng.integers(0, clusters))
            i = int(rng.integers(0, 10))
            j = (i + int(rng.integers(1, reach + 1))) % 10
            field = "cs.LG" if cluster % 2 == 0 else "cs.CR"
            papers.append((day, field, [keys[cluster * 10 + i], keys[cluster * 10 + j]]))
        for _ in range(4):
            cluster_a, cluster_b = rng.choice(range(0, clusters, 2), 2) + rng.integers(0, 2)
            a, b = (
                keys[int(cluster_a) * 10 + int(rng.integers(0, 10))],
                keys[int(cluster_b) * 10 + int(rng.integers(0, 10))],
            )
            if a != b:
                field = "cs.LG" if int(cluster_a) % 2 == 0 else "cs.CR"
                papers.append((day, field, [a, b]))
    vectors = {
        key: np.eye(clusters)[i // 10] + 0.3 * rng.standard_normal(clusters)
        for i, key in enumerate(keys)
    }
    return history_from(papers, vectors=vectors)


def concept(name: str, kind: str, field: str) -> dict[str, str]:
    return {"key": name, "name": name, "kind": kind, "field": field}


# An idea the toy-superposition template tests a proxy of (through "sparse coding").
SAE_IDEA = {
    "title": "Sparse coding for backdoor trigger detection",
    "problem": "Backdoored models hide triggers in polysemantic units. Finding them is hard.",
    "hypothesis": "Sparse coding features isolate backdoor triggers.",
    "method": "Learn a sparse code of the residual stream and inspect the features.",
    "expected": "A few features fire on triggers.",
    "concepts": [
        concept("sparse coding", "method", "cs.LG"),
        concept("backdoor attacks", "task", "cs.CR"),
    ],
}  # fmt: skip
PLAIN_IDEA = {
    "title": "Graph neural networks for protein function on ogbn-proteins",
    "problem": "Protein function prediction ignores interaction structure.",
    "hypothesis": "Message passing over interactions improves function prediction.",
    "method": "Add GNN layers over the interaction graph.",
    "expected": "Better ROC-AUC.",
    "concepts": [
        concept("graph neural network", "method", "cs.LG"),
        concept("ogbn-proteins", "dataset", "q-bio.QM"),
    ],
}  # fmt: skip


def idea_source_from(data: dict, **overrides):
    from experiments.drafting import IdeaSource

    fields = {k: v for k, v in data.items() if k != "concepts"}
    concepts = [{k: c[k] for k in ("name", "kind", "field")} for c in data["concepts"]]
    grounding = [
        {"key": "2503.00001", "title": "A grounding paper", "published": "2025-03-01",
         "url": "https://arxiv.org/abs/2503.00001"},
    ]  # fmt: skip
    return IdeaSource(
        **{**fields, "concepts": concepts, "grounding": grounding, "id": 7, "batch": 3, **overrides}
    )


def idea_create(data: dict = SAE_IDEA, **overrides):
    """A finished batch holding one idea (in the database; its papers need not be in the graph)."""
    from ideation.models import Idea, IdeaBatch

    batch = IdeaBatch.objects.create(params={"n": 1}, status="succeeded", progress=100)
    values = {
        "batch": batch,
        "rank": 1,
        "writer": "offline",
        "fields": ["cs.LG"],
        "grounding": ["2503.00001"],
        "novelty": 0.7,
        "verdict": "novel",
        "evidence": {},
        "score": 0.5,
        **data,
        **overrides,
    }
    return Idea.objects.create(**values)


def tiny_spec(**runner_params) -> dict:
    """A runnable sae_superposition spec that finishes in a few seconds on a CPU."""
    from experiments.drafting import spec_offline

    document = spec_offline(idea_source_from(SAE_IDEA)).document
    document["runner"]["params"] = {
        "input_dim": 8, "n_features": 16, "feature_probability": 0.1, "topk_k": 2, "dict_size": 32,
        "steps": 200, "batch_size": 256, "eval_samples": 1000, **runner_params,
    }  # fmt: skip
    document["variables"] = [{"name": "sparsity_method", "values": ["l1", "topk"]}]
    document["seeds"] = [0]
    document["compute"]["wall_time_minutes"] = 5
    return document


def steady_history(
    seed: int = 0, months: int = 12, concepts: int = 200, papers_per_month: int = 150
) -> History:
    """A history whose process does not change: each month `papers_per_month` papers, each
    mentioning two concepts of one of 10 clusters drawn by fixed Zipf-like popularity (now and
    then a pair across clusters). New pairs keep appearing at a slowly falling rate, as in a real
    field, so a model fitted on one window should be calibrated on the next."""
    rng = np.random.default_rng(seed)
    keys = [f"s{i}" for i in range(concepts)]
    clusters = 10
    popularity = 1 / np.arange(1, concepts // clusters + 1) ** 0.8
    popularity /= popularity.sum()
    papers = []
    for day in month_days(months):
        for _ in range(papers_per_month):
            first = int(rng.integers(0, clusters))
            second = first if rng.random() > 0.05 else int(rng.integers(0, clusters))
            i, j = rng.choice(len(popularity), 2, replace=False, p=popularity)
            field = "cs.LG" if first % 2 == 0 else "cs.CR"
            members = [
                keys[first * (concepts // clusters) + i],
                keys[second * (concepts // clusters) + j],
            ]
            papers.append((day, field, members))
    vectors = {
        key: np.eye(clusters)[i // (concepts // clusters)] + 0.3 * rng.standard_normal(clusters)
        for i, key in enumerate(keys)
    }
    return history_from(papers, vectors=vectors)
