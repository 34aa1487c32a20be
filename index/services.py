"""Write side of the vector index. Every FAISS id is registered with its graph key in the
database before its vector is stored, so a search can always map a hit back."""

from __future__ import annotations

import numpy as np
from django.conf import settings

from graph.factory import get_store
from graph.store import GraphStore
from index import embedding
from index.models import VectorKey
from index.vectorindex import CONCEPTS, PAPERS, get_index, vector_id


def vector_ids_register(*, index: str, keys: list[str]) -> list[int]:
    """The FAISS ids of `keys`, with their way back to the key recorded in the database."""
    ids = [vector_id(k) for k in keys]
    VectorKey.objects.bulk_create(
        [VectorKey(vid=i, index=index, key=k) for i, k in zip(ids, keys, strict=True)],
        ignore_conflicts=True,
    )
    return ids


def vectors_upsert(*, index: str, keys: list[str], vectors: np.ndarray) -> None:
    get_index(index).upsert(vector_ids_register(index=index, keys=keys), vectors)


def vectors_remove(*, index: str, keys: list[str]) -> None:
    """Drop the vectors of keys that left the graph (a concept merged into another)."""
    ids = [vector_id(k) for k in keys]
    get_index(index).remove(ids)
    VectorKey.objects.filter(index=index, vid__in=ids).delete()


def index_rebuild(*, store: GraphStore | None = None, batch_size: int = 512) -> dict[str, int]:
    """Re-embed every paper and concept in the graph into fresh indexes, swapped in atomically,
    with this process's embedding, which the data dir then records."""
    store = store or get_store()
    counts = {}
    sources = {
        PAPERS: [
            (k, embedding.paper_text(t, a)) for page in store.paper_texts() for k, t, a in page
        ],
        CONCEPTS: [
            (k, n)
            for page in store.concept_names(min_papers=settings.CONCEPT_VECTOR_MIN_PAPERS)
            for k, n, _ in page
        ],
    }
    for index_name, rows in sources.items():
        ids: list[int] = []
        parts = []
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            parts.append(embedding.encode([text for _, text in batch]))
            ids.extend(vector_ids_register(index=index_name, keys=[k for k, _ in batch]))
        vectors = np.vstack(parts) if parts else np.zeros((0, embedding.dimension()), np.float32)
        get_index(index_name, check=False).replace_all(ids, vectors)
        counts[index_name] = len(ids)
    embedding.identity_record(settings.VECTOR_DIR)
    return counts
