"""The fields map: arXiv fields as nodes, concepts they share as links."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

from browse.selectors.common import cached
from browse.selectors.concept import field_names
from graph.factory import get_store
from graph.store import (
    ConceptDetail,
)

# -- fields map --------------------------------------------------------------------------------
FIELD_MEMBER_SHARE = 0.2  # a concept belongs to a field holding at least this share of its papers
FIELD_MEMBER_MIN_PAPERS = 3


@dataclass(frozen=True)
class FieldNode:
    code: str
    name: str
    papers: int
    concepts: int


@dataclass(frozen=True)
class FieldsMap:
    fields: list[FieldNode]
    shared: list[tuple[str, str, int]]  # (field a, field b, concepts in both), most first


def _field_memberships() -> list[tuple[ConceptDetail, tuple[str, ...]]]:
    def compute() -> list[tuple[ConceptDetail, tuple[str, ...]]]:
        members = []
        for page in get_store().concept_profiles(min_papers=FIELD_MEMBER_MIN_PAPERS):
            for concept in page:
                codes = tuple(
                    code for code, n in concept.fields if n >= FIELD_MEMBER_SHARE * concept.papers
                )
                if codes:
                    members.append((concept, codes))
        return members

    return cached("field_memberships", compute)


def fields_map(*, max_links: int = 150) -> FieldsMap:
    """Fields (primary arXiv categories) and how many concepts each pair shares: a concept counts
    for a field holding at least a fifth of its papers (concepts in 3+ papers)."""

    def compute() -> FieldsMap:
        store = get_store()
        names = field_names()
        papers = store.papers_per_field()
        per_field: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for _, codes in _field_memberships():
            per_field.update(codes)
            pairs.update(combinations(sorted(codes), 2))
        fields = [
            FieldNode(code, names.get(code, code), n, per_field[code])
            for code, n in sorted(papers.items(), key=lambda kv: -kv[1])
        ]
        shared = [(a, b, n) for (a, b), n in pairs.most_common(max_links)]
        return FieldsMap(fields, shared)

    return cached(f"fields_map:{max_links}", compute)


@dataclass(frozen=True)
class Bridge:
    concept: ConceptDetail
    share_a: float
    share_b: float


def field_bridges(*, a: str, b: str, limit: int = 40) -> list[Bridge]:
    """Concepts used in both fields, the most balanced and most used first."""
    bridges = []
    for concept, codes in _field_memberships():
        if a in codes and b in codes:
            counts = dict(concept.fields)
            bridges.append(Bridge(concept, counts[a] / concept.papers, counts[b] / concept.papers))
    bridges.sort(key=lambda br: -min(br.share_a, br.share_b) * math.log1p(br.concept.papers))
    return bridges[:limit]
