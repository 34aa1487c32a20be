"""The interface every other package uses to reach the graph, and the values that cross it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

# phenomenon: what models do or suffer that methods target (reward hacking, sycophancy,
# superposition, hallucination).
CONCEPT_KINDS = ("task", "method", "dataset", "metric", "phenomenon", "other")


@dataclass(frozen=True)
class Mention:
    concept_key: str
    count: int
    in_title: bool
    form: str = ""  # the concept as this paper writes it; the most common form names the node
    kind: str = ""  # the concept's kind as this paper reads; the most common kind types the node


@dataclass(frozen=True)
class ConceptRow:
    key: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldRow:
    code: str
    name: str


@dataclass(frozen=True)
class PaperRow:
    """A paper as written to the graph. `key` is the arXiv id without version when there is one,
    else `doi:<doi>`, else `title:<hash>`."""

    key: str
    title: str
    abstract: str
    content_hash: str
    arxiv_id: str | None = None
    version: int | None = None
    published: str | None = None  # ISO date: compares correctly as a string on every backend
    updated: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    primary_category: str | None = None
    doi: str | None = None
    comment: str | None = None
    url: str | None = None
    mentions: tuple[Mention, ...] = ()
    references: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class StoredPaper:
    key: str
    content_hash: str | None
    first_job: int | None


@dataclass(frozen=True)
class PaperBrief:
    key: str
    title: str
    published: str | None
    primary_category: str | None


@dataclass(frozen=True)
class ConceptBrief:
    key: str
    name: str
    kind: str
    papers: int
    field: str | None = None  # the primary category most of its papers have


@dataclass(frozen=True)
class ConceptDetail:
    key: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    papers: int
    fields: tuple[tuple[str, int], ...]  # (category, papers), most papers first; top few only


@dataclass(frozen=True)
class Neighbour:
    """A concept linked to another by co-occurrence: `weight` papers mention both, the first of
    them published on `first`."""

    concept: ConceptBrief
    weight: int
    first: str | None


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    weight: int
    first: str | None


@dataclass(frozen=True)
class PaperDetail:
    key: str
    title: str
    abstract: str
    arxiv_id: str | None
    version: int | None
    published: str | None
    updated: str | None
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    primary_category: str | None
    doi: str | None
    comment: str | None
    url: str | None


@dataclass(frozen=True)
class PaperConcept:
    concept: ConceptBrief
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class NeighbourFilter:
    """What a neighbourhood query keeps: links with at least `min_weight` papers that first
    appeared within [since, until], to concepts of the given kinds and fields (None: any)."""

    min_weight: int = 1
    kinds: tuple[str, ...] | None = None
    fields: tuple[str, ...] | None = None
    since: str | None = None
    until: str | None = None


@dataclass(frozen=True)
class GraphCounts:
    papers: int
    concepts: int
    fields: int
    authors: int
    mentions: int
    cooccurrences: int
    citations: int


class GraphStore(Protocol):
    def ensure_schema(self) -> None: ...

    def papers_stored(self, *, keys: Sequence[str]) -> dict[str, StoredPaper]: ...

    def papers_upsert(
        self,
        *,
        papers: Sequence[PaperRow],
        concepts: Sequence[ConceptRow],
        fields: Sequence[FieldRow],
        job_id: int | None,
        replace_edges_of: Sequence[str],
    ) -> None: ...

    def paper_mentions_replace(
        self, *, mentions: dict[str, Sequence[Mention]], concepts: Sequence[ConceptRow]
    ) -> None:
        """Replace the concept mentions of stored papers (and the co-occurrences that follow
        from them), leaving everything else of the papers as it is; concepts left unmentioned
        are deleted."""
        ...

    def concept_kinds(self) -> dict[str, str]:
        """Every concept's kind, by key."""
        ...

    def concepts_of_papers(self, *, keys: Sequence[str]) -> set[str]: ...

    def counts(self) -> GraphCounts: ...

    def paper_texts(self, *, batch_size: int = 1000) -> Iterator[list[tuple[str, str, str]]]: ...

    def paper_concept_lists(
        self, *, min_papers: int, batch_size: int = 5000
    ) -> Iterator[list[tuple[str, str | None, str | None, list[str]]]]:
        """Pages of (paper key, published, primary category, keys of the concepts it mentions
        that have at least `min_papers` papers), in key order."""
        ...

    def papers_text(self, *, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        """(title, abstract) of each paper found."""
        ...

    def concept_names(
        self, *, min_papers: int = 0, batch_size: int = 5000
    ) -> Iterator[list[tuple[str, str, int]]]:
        """Pages of (key, name, papers) of the concepts with at least `min_papers` papers."""
        ...

    def mentions_of_papers_mentioning(self, *, concepts: Sequence[str]) -> dict[str, list[Mention]]:
        """Every mention made by each paper that mentions any of `concepts`, by paper key."""
        ...

    def concept_paper_counts(self, *, keys: Sequence[str]) -> dict[str, int]: ...

    def papers_brief(self, *, keys: Sequence[str]) -> dict[str, PaperBrief]: ...

    def concepts_brief(self, *, keys: Sequence[str]) -> dict[str, ConceptBrief]: ...

    def paper_mentions(self, *, key: str) -> list[tuple[str, int, bool]]: ...

    def concept_stats_refresh(self, *, keys: Sequence[str] | None = None) -> int: ...

    def concept_tops_refresh(self, *, min_papers: int, stale_only: bool = True) -> int: ...

    def concept_tops(self, *, keys: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        """Cached strongest partners (key, papers), strongest first, of those concepts that have
        a current list."""
        ...

    # -- browsing --
    def concept_detail(self, *, key: str) -> ConceptDetail | None: ...

    def concept_months(self, *, key: str) -> list[tuple[str, int]]: ...

    def concept_top_papers(self, *, key: str, limit: int) -> list[PaperBrief]: ...

    def concept_neighbours(
        self, *, keys: Sequence[str], per_key: int, where: NeighbourFilter
    ) -> dict[str, list[Neighbour]]: ...

    def links_between(
        self, *, pairs: Sequence[tuple[str, str]], where: NeighbourFilter | None = None
    ) -> list[Link]: ...

    def links_into(
        self, *, keys: Sequence[str], among: Sequence[str], min_weight: int = 1
    ) -> list[Link]:
        """Co-occurrence links from `keys` to any concept in `among` (walks each key's links)."""
        ...

    def bridging_papers(
        self, *, key: str, among: Sequence[str], limit: int
    ) -> list[tuple[PaperBrief, tuple[str, ...]]]: ...

    def paper_detail(self, *, key: str) -> PaperDetail | None: ...

    def paper_concepts(self, *, key: str) -> list[PaperConcept]: ...

    def concept_profiles(
        self, *, min_papers: int, batch_size: int = 5000
    ) -> Iterator[list[ConceptDetail]]: ...

    def field_names(self) -> dict[str, str]: ...

    def papers_per_field(self) -> dict[str, int]: ...

    def latest_published(self) -> str | None: ...

    def concept_monthly_since(
        self, *, since: str, min_papers: int
    ) -> list[tuple[str, str, int]]: ...

    def concepts_most_connected(
        self, *, limit: int, candidates: int, min_papers: int
    ) -> list[tuple[ConceptBrief, int]]: ...

    def text_search(self, *, label: str, text: str, limit: int) -> list[tuple[str, float]]:
        """Full-text search over paper titles and abstracts (label "Paper") or concept names
        ("Concept"): keys with scores, best first. Only the words of `text` are used, so query
        syntax in it is never interpreted."""
        ...

    def clear(self) -> None: ...

    def close(self) -> None: ...
