"""The interface every other package uses to reach the graph, and the values that cross it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

CONCEPT_KINDS = ("task", "method", "dataset", "metric", "other")


@dataclass(frozen=True)
class Mention:
    concept_key: str
    count: int
    in_title: bool


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

    def concepts_of_papers(self, *, keys: Sequence[str]) -> set[str]: ...

    def counts(self) -> GraphCounts: ...

    def paper_texts(self, *, batch_size: int = 1000) -> Iterator[list[tuple[str, str, str]]]: ...

    def concept_names(
        self, *, min_papers: int = 0, batch_size: int = 5000
    ) -> Iterator[list[tuple[str, str]]]: ...

    def concept_paper_counts(self, *, keys: Sequence[str]) -> dict[str, int]: ...

    def papers_brief(self, *, keys: Sequence[str]) -> dict[str, PaperBrief]: ...

    def concepts_brief(self, *, keys: Sequence[str]) -> dict[str, ConceptBrief]: ...

    def paper_mentions(self, *, key: str) -> list[tuple[str, int, bool]]: ...

    def clear(self) -> None: ...

    def close(self) -> None: ...
