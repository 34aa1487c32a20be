"""Read side of the vector index: nearest neighbours by meaning, mapped back to graph keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graph.factory import get_store
from graph.store import ConceptBrief, PaperBrief
from index import embedding
from index.models import VectorKey
from index.vectorindex import CONCEPTS, PAPERS, get_index, vector_id


@dataclass(frozen=True)
class SemanticHits:
    papers: list[tuple[PaperBrief, float]]
    concepts: list[tuple[ConceptBrief, float]]


def vector_keys(*, index: str, vids: Sequence[int]) -> dict[int, str]:
    """The graph keys of vector ids in one index."""
    return dict(VectorKey.objects.filter(index=index, vid__in=list(vids)).values_list("vid", "key"))


def nearest_keys(*, index: str, vector: np.ndarray, limit: int) -> list[tuple[str, float]]:
    """The `limit` graph keys nearest to one vector (cosine similarity), best first."""
    hits = get_index(index).search(vector.reshape(1, -1), limit)[0]
    keys = vector_keys(index=index, vids=[h.vid for h in hits])
    return [(keys[h.vid], h.score) for h in hits if h.vid in keys]


def key_vectors(*, index: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
    """The stored vectors of graph keys; keys without one are left out."""
    ids = {vector_id(k): k for k in keys}
    return {ids[vid]: vec for vid, vec in get_index(index).vectors(list(ids)).items()}


def unit_vectors(*, index: str, keys: list[str]) -> np.ndarray:
    """Unit vectors of graph keys in the keys' order, zeros where absent (one read of the whole
    index, for callers that need most of it)."""
    ids, vectors = get_index(index).export()
    dim = vectors.shape[1] if len(vectors) else embedding.dimension()
    out = np.zeros((len(keys), dim), dtype=np.float32)
    if len(ids):
        position = {int(vid): row for row, vid in enumerate(ids)}
        rows = np.array([position.get(vector_id(key), -1) for key in keys], dtype=np.int64)
        found = rows >= 0
        out[found] = vectors[rows[found]]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    return out


def index_counts() -> dict[str, int]:
    return {
        "paper_vectors": get_index(PAPERS).count(),
        "concept_vectors": get_index(CONCEPTS).count(),
    }


def semantic_search(*, query: str, limit: int = 10) -> SemanticHits:
    """Papers and concepts nearest in meaning to `query` (cosine similarity), best first."""
    vector = embedding.encode([query])[0]
    store = get_store()
    found = {}
    for name in (PAPERS, CONCEPTS):
        ranked = nearest_keys(index=name, vector=vector, limit=limit)
        briefs = (store.papers_brief if name == PAPERS else store.concepts_brief)(
            keys=[key for key, _ in ranked]
        )
        found[name] = [(briefs[key], score) for key, score in ranked if key in briefs]
    return SemanticHits(papers=found[PAPERS], concepts=found[CONCEPTS])
