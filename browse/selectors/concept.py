"""The concept page."""

from __future__ import annotations

from dataclasses import dataclass

from browse.selectors.common import ConceptNotFound, cached
from browse.selectors.explorer import (
    concept_neighbours,
    concepts_related_unlinked,
)
from graph.factory import get_store
from graph.store import (
    ConceptBrief,
    ConceptDetail,
    Neighbour,
    NeighbourFilter,
    PaperBrief,
)
from ingest.models import ConceptMerge
from ingest.selectors import concept_merges_into


# -- concept page ------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldShare:
    code: str
    name: str
    papers: int
    share: float


@dataclass(frozen=True)
class ConceptPage:
    concept: ConceptDetail
    fields: list[FieldShare]
    months: list[tuple[str, int]]
    top_papers: list[PaperBrief]
    cooccurring: list[Neighbour]
    related_unlinked: list[tuple[ConceptBrief, float]]
    merged: list[ConceptMerge]  # names merged into this concept, with why

    @property
    def other_forms(self) -> list[str]:
        """Forms the concept is written in (acronyms, long forms), the merged names apart."""
        merged = {m.variant_name for m in self.merged}
        return [a for a in self.concept.aliases if a not in merged]

    @property
    def busiest_month(self) -> int:
        return max((n for _, n in self.months), default=0)


def concept_page(
    *, key: str, papers: int = 15, neighbours: int = 20, related: int = 10, months: bool = True
) -> ConceptPage:
    """Everything the concept page shows; the explorer's side panel asks for less."""
    store = get_store()
    concept = store.concept_detail(key=key)
    if concept is None:
        raise ConceptNotFound(key)
    names = field_names()
    return ConceptPage(
        concept=concept,
        fields=[
            FieldShare(code, names.get(code, code), n, n / max(concept.papers, 1))
            for code, n in concept.fields
        ],
        months=store.concept_months(key=key) if months else [],
        top_papers=store.concept_top_papers(key=key, limit=papers),
        cooccurring=concept_neighbours(keys=[key], per_key=neighbours, where=NeighbourFilter())[
            key
        ],
        related_unlinked=concepts_related_unlinked(key=key, limit=related) if related else [],
        merged=concept_merges_into(key=key),
    )


def field_names() -> dict[str, str]:
    return cached("field_names", lambda: get_store().field_names())
