"""Read side of ingest."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from graph.factory import get_store
from graph.store import ConceptBrief, PaperBrief
from ingest import embedding
from ingest.models import IngestJob, VectorKey
from ingest.vectorindex import CONCEPTS, PAPERS, get_index


@dataclass(frozen=True)
class SemanticHits:
    papers: list[tuple[PaperBrief, float]]
    concepts: list[tuple[ConceptBrief, float]]


def graph_stats() -> dict[str, int]:
    counts = asdict(get_store().counts())
    counts["paper_vectors"] = get_index(PAPERS).count()
    counts["concept_vectors"] = get_index(CONCEPTS).count()
    return counts


def ingest_jobs_recent(*, limit: int = 10) -> list[IngestJob]:
    return list(IngestJob.objects.all()[:limit])


def ingest_job_errors(*, job: IngestJob, limit: int = 200) -> list:
    return list(job.errors.all()[:limit])


def vector_keys(*, index: str, vids: Sequence[int]) -> dict[int, str]:
    """The graph keys of vector ids in one index."""
    return dict(VectorKey.objects.filter(index=index, vid__in=list(vids)).values_list("vid", "key"))


def semantic_search(*, query: str, limit: int = 10) -> SemanticHits:
    """Papers and concepts nearest in meaning to `query` (cosine similarity), best first."""
    vector = embedding.encode([query])
    store = get_store()
    found = {}
    for name in (PAPERS, CONCEPTS):
        hits = get_index(name).search(vector, limit)[0]
        keys = vector_keys(index=name, vids=[h.vid for h in hits])
        ranked = [(keys[h.vid], h.score) for h in hits if h.vid in keys]
        briefs = (store.papers_brief if name == PAPERS else store.concepts_brief)(
            keys=[key for key, _ in ranked]
        )
        found[name] = [(briefs[key], score) for key, score in ranked if key in briefs]
    return SemanticHits(papers=found[PAPERS], concepts=found[CONCEPTS])
