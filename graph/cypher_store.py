"""Store logic shared by the Cypher backends. A backend supplies `_run` and its schema DDL."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from graph import cypher
from graph.store import (
    ConceptBrief,
    ConceptRow,
    FieldRow,
    GraphCounts,
    PaperBrief,
    PaperRow,
    StoredPaper,
)

WRITE_BATCH = 1000


def _chunks(rows: Sequence[Any], size: int = WRITE_BATCH) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


class CypherStore(ABC):
    @abstractmethod
    def _run(
        self, query: str, params: dict[str, Any] | None = None, *, write: bool = False
    ) -> list[list[Any]]:
        """Run one statement and return its rows as lists. Reads run read-only, so a statement
        that writes without saying so fails on every backend."""

    @abstractmethod
    def ensure_schema(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def _run_batched(self, query: str, rows: Sequence[dict[str, Any]], **params: Any) -> None:
        for chunk in _chunks(rows):
            self._run(query, {"rows": list(chunk), **params}, write=True)

    def papers_stored(self, *, keys: Sequence[str]) -> dict[str, StoredPaper]:
        stored: dict[str, StoredPaper] = {}
        for chunk in _chunks(keys):
            for key, content_hash, first_job in self._run(
                cypher.PAPERS_STORED, {"keys": list(chunk)}
            ):
                stored[key] = StoredPaper(key, content_hash, first_job)
        return stored

    def papers_upsert(
        self,
        *,
        papers: Sequence[PaperRow],
        concepts: Sequence[ConceptRow],
        fields: Sequence[FieldRow],
        job_id: int | None,
        replace_edges_of: Sequence[str],
    ) -> None:
        """Write papers with their concepts, fields, authors and mentions. Idempotent: every write
        is a MERGE on a unique key, and a paper is marked complete only after its last edge."""
        concept_rows = [
            {"key": c.key, "name": c.name, "kind": c.kind, "aliases": list(c.aliases)}
            for c in concepts
        ]
        self._run_batched(cypher.UPSERT_CONCEPTS, concept_rows)
        self._run_batched(cypher.UPSERT_FIELDS, [asdict(f) for f in fields])
        paper_rows = [
            {
                "key": p.key,
                "arxiv_id": p.arxiv_id,
                "version": p.version,
                "title": p.title,
                "abstract": p.abstract,
                "published": p.published,
                "updated": p.updated,
                "authors": list(p.authors),
                "categories": list(p.categories),
                "primary_category": p.primary_category,
                "doi": p.doi,
                "comment": p.comment,
                "url": p.url,
            }
            for p in papers
        ]
        self._run_batched(cypher.UPSERT_PAPERS, paper_rows, job=job_id)
        replaced = list(replace_edges_of)
        previously_mentioned = self.concepts_of_papers(keys=replaced)
        for chunk in _chunks(replaced):
            params = {"keys": list(chunk)}
            self._run(cypher.REMOVE_COOCCURRENCES, params, write=True)
            self._run(cypher.DELETE_PAPER_OUT_EDGES, params, write=True)
            self._run(cypher.DELETE_PAPER_AUTHOR_EDGES, params, write=True)
        mentions = [
            {"paper": p.key, "concept": m.concept_key, "count": m.count, "in_title": m.in_title}
            for p in papers
            for m in p.mentions
        ]
        self._run_batched(cypher.MERGE_MENTIONS, mentions)
        in_field = [
            {"paper": p.key, "field": code, "primary": code == p.primary_category}
            for p in papers
            for code in p.categories
        ]
        self._run_batched(cypher.MERGE_IN_FIELD, in_field)
        authors = [
            {"paper": p.key, "name": name, "position": i}
            for p in papers
            for i, name in enumerate(p.authors)
        ]
        self._run_batched(cypher.MERGE_AUTHORS, authors)
        cites = [{"src": p.key, "dst": ref} for p in papers for ref in p.references]
        self._run_batched(cypher.MERGE_CITES, cites)
        for chunk in _chunks([p.key for p in papers]):
            self._run(cypher.ADD_COOCCURRENCES, {"keys": list(chunk)}, write=True)
        touched = previously_mentioned | {m.concept_key for p in papers for m in p.mentions}
        for chunk in _chunks(sorted(touched)):
            self._run(cypher.REFRESH_CONCEPT_PAPER_COUNTS, {"keys": list(chunk)}, write=True)
        for chunk in _chunks(sorted(previously_mentioned)):
            self._run(cypher.DELETE_EMPTY_COOCCURRENCES, {"keys": list(chunk)}, write=True)
        # Last: a paper without its hash is rewritten whole by the next run.
        self._run_batched(
            cypher.MARK_PAPERS_COMPLETE, [{"key": p.key, "hash": p.content_hash} for p in papers]
        )

    def concepts_of_papers(self, *, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(keys):
            found.update(row[0] for row in self._run(cypher.CONCEPTS_OF_PAPERS, {"keys": chunk}))
        return found

    def counts(self) -> GraphCounts:
        values = {name: self._run(query)[0][0] for name, query in cypher.COUNT_NODES.items()}
        return GraphCounts(**values)

    def paper_texts(self, *, batch_size: int = 1000) -> Iterator[list[tuple[str, str, str]]]:
        after = ""
        while rows := self._run(cypher.PAPER_TEXTS_PAGE, {"after": after, "limit": batch_size}):
            yield [(key, title or "", abstract or "") for key, title, abstract in rows]
            after = rows[-1][0]

    def concept_names(
        self, *, min_papers: int = 0, batch_size: int = 5000
    ) -> Iterator[list[tuple[str, str]]]:
        after = ""
        params = {"min_papers": min_papers, "limit": batch_size}
        while rows := self._run(cypher.CONCEPT_NAMES_WITH_PAPERS_PAGE, {"after": after, **params}):
            yield [(key, name) for key, name in rows]
            after = rows[-1][0]

    def concept_paper_counts(self, *, keys: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(list(keys)):
            counts.update(
                (k, n or 0) for k, n in self._run(cypher.CONCEPT_PAPER_COUNTS, {"keys": chunk})
            )
        return counts

    def papers_brief(self, *, keys: Sequence[str]) -> dict[str, PaperBrief]:
        rows = self._run(cypher.PAPERS_BRIEF, {"keys": list(keys)})
        return {row[0]: PaperBrief(*row) for row in rows}

    def concepts_brief(self, *, keys: Sequence[str]) -> dict[str, ConceptBrief]:
        rows = self._run(cypher.CONCEPTS_BRIEF, {"keys": list(keys)})
        return {k: ConceptBrief(k, name, kind, papers or 0) for k, name, kind, papers in rows}

    def paper_mentions(self, *, key: str) -> list[tuple[str, int, bool]]:
        return [(k, n, bool(t)) for k, n, t in self._run(cypher.PAPER_MENTIONS, {"key": key})]

    def clear(self) -> None:
        self._run(cypher.DELETE_ALL, write=True)
