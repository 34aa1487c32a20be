"""Search: words through the graph's full-text index and meaning through the vector index,
merged by reciprocal rank fusion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.fusion import rank_fusion
from graph.factory import get_store
from graph.store import (
    ConceptBrief,
    PaperBrief,
)
from index.selectors import semantic_search
from ingest.selectors import concept_keys_resolve
from ingest.text import squash

# -- search ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperHit:
    paper: PaperBrief
    score: float
    matched: tuple[str, ...]  # "words", "meaning"

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.paper.key,
            "title": self.paper.title,
            "published": self.paper.published,
            "primary_category": self.paper.primary_category,
            "score": round(self.score, 5),
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class ConceptHit:
    concept: ConceptBrief
    score: float
    matched: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.concept.key,
            "name": self.concept.name,
            "kind": self.concept.kind,
            "papers": self.concept.papers,
            "field": self.concept.field,
            "score": round(self.score, 5),
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class SearchResults:
    query: str
    papers: list[PaperHit]
    concepts: list[ConceptHit]

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "papers": [h.as_json() for h in self.papers],
            "concepts": [h.as_json() for h in self.concepts],
        }


MAX_QUERY_CHARS = 200


def search(*, query: str, limit: int = 10) -> SearchResults:
    """Papers and concepts matching `query` by words (full-text index) and by meaning (embedding
    nearest neighbours), fused by reciprocal rank. A concept whose name is the query comes first;
    among concepts matched by words, those in more papers rank higher."""
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        return SearchResults(query, [], [])
    store = get_store()
    meaning = semantic_search(query=query, limit=limit * 2)
    word_papers = [k for k, _ in store.text_search(label="Paper", text=query, limit=limit * 2)]
    word_concept_keys = [k for k, _ in store.text_search(label="Concept", text=query, limit=100)]
    word_concepts = store.concepts_brief(keys=word_concept_keys)
    exact_keys = concept_keys_resolve(text=query)
    # "DPO" typed, or a name merged into another concept ("jailbreaking attacks")
    if known_elsewhere := [k for k in exact_keys[2:] if k not in word_concepts]:
        word_concepts |= store.concepts_brief(keys=known_elsewhere)
    exact = next((k for k in exact_keys if k in word_concepts), squash(query))
    by_papers = sorted(
        word_concepts.values(), key=lambda c: (c.key != exact, -c.papers, len(c.name))
    )
    paper_briefs = {p.key: p for p, _ in meaning.papers}
    paper_briefs.update(store.papers_brief(keys=[k for k in word_papers if k not in paper_briefs]))
    papers = _fuse({"words": word_papers, "meaning": [p.key for p, _ in meaning.papers]}, limit)
    concept_briefs = {c.key: c for c, _ in meaning.concepts} | word_concepts
    concepts = _fuse(
        {"words": [c.key for c in by_papers], "meaning": [c.key for c, _ in meaning.concepts]},
        limit,
        first=exact if exact in concept_briefs else None,
    )
    return SearchResults(
        query,
        [PaperHit(paper_briefs[k], s, m) for k, s, m in papers if k in paper_briefs],
        [ConceptHit(concept_briefs[k], s, m) for k, s, m in concepts],
    )


def _fuse(
    rankings: dict[str, list[str]], limit: int, first: str | None = None
) -> list[tuple[str, float, tuple[str, ...]]]:
    scores = rank_fusion(rankings.values())
    matched: dict[str, list[str]] = {}
    for name, keys in rankings.items():
        for key in keys:
            matched.setdefault(key, []).append(name)
    order = sorted(scores, key=lambda k: (k != first, -scores[k]))
    return [(k, scores[k], tuple(matched[k])) for k in order[:limit]]
