"""The dashboard's concept lists."""

from __future__ import annotations

from dataclasses import dataclass

from browse.selectors.common import cached
from graph.factory import get_store
from graph.store import ConceptBrief
from ingest.extraction import concept_term
from ingest.termhood import phrase_is_generic


@dataclass(frozen=True)
class Growth:
    concept: ConceptBrief
    recent: int  # papers in the latest three months
    before: int  # papers in the three months before

    @property
    def ratio(self) -> float:
        return (self.recent + 1) / (self.before + 1)


GROWTH_MIN_RECENT = 5


def _specific(brief: ConceptBrief) -> bool:
    """Broad single words ("classification", "embedding") say nothing about a corpus."""
    return not phrase_is_generic(concept_term(brief.key, brief.name).split(), strict=True)


def concepts_most_connected(*, limit: int = 10) -> list[tuple[ConceptBrief, int]]:
    def compute() -> list[tuple[ConceptBrief, int]]:
        found = get_store().concepts_most_connected(limit=3 * limit, candidates=80, min_papers=3)
        return [(brief, degree) for brief, degree in found if _specific(brief)][:limit]

    return cached(f"most_connected:{limit}", compute)


def concepts_fastest_growing(*, limit: int = 10) -> list[Growth]:
    """Concepts whose paper count grew most from the three months before to the latest three
    (the latest month of the corpus counts even if partial), with at least 5 recent papers."""

    def compute() -> list[Growth]:
        store = get_store()
        latest = store.latest_published()
        if not latest:
            return []
        months = _months_back(latest[:7], 6)
        recent, before = set(months[3:]), set(months[:3])
        counts: dict[str, list[int]] = {}
        for key, month, n in store.concept_monthly_since(since=months[0], min_papers=3):
            slot = counts.setdefault(key, [0, 0])
            if month in recent:
                slot[0] += n
            elif month in before:
                slot[1] += n
        ranked = sorted(
            ((k, r, b) for k, (r, b) in counts.items() if r >= GROWTH_MIN_RECENT),
            key=lambda t: -(t[1] + 1) / (t[2] + 1),
        )[: 3 * limit]
        briefs = store.concepts_brief(keys=[k for k, _, _ in ranked])
        growth = [Growth(briefs[k], r, b) for k, r, b in ranked if k in briefs]
        return [g for g in growth if _specific(g.concept)][:limit]

    return cached(f"fastest_growing:{limit}", compute)


def _months_back(month: str, n: int) -> list[str]:
    """The n months ending with `month` (YYYY-MM), oldest first."""
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return out[::-1]
