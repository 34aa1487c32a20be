"""Store logic shared by the Cypher backends. A backend supplies `_run` and its schema DDL."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from graph import cypher
from graph.store import (
    ConceptBrief,
    ConceptDetail,
    ConceptRow,
    FieldRow,
    GraphCounts,
    Link,
    Mention,
    Neighbour,
    NeighbourFilter,
    PaperBrief,
    PaperConcept,
    PaperDetail,
    PaperRow,
    StoredPaper,
)

WRITE_BATCH = 1000
SEARCH_LABELS = ("Paper", "Concept")
_SEARCH_TERM = re.compile(r"[A-Za-z0-9]+")
MAX_SEARCH_TERMS = 8


def search_terms(text: str) -> list[str]:
    """The words of a search box's text, lower case: the only part of it a query is built from."""
    return [t.lower() for t in _SEARCH_TERM.findall(text)][:MAX_SEARCH_TERMS]


def _profile(fields: list[str] | None, counts: list[int] | None) -> tuple[tuple[str, int], ...]:
    return tuple((f, n) for f, n in zip(fields or [], counts or [], strict=False) if f)


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

    @abstractmethod
    def _text_search(self, label: str, terms: list[str], limit: int) -> list[tuple[str, float]]:
        """Backend full-text query for plain lower-case words; the last one may be a prefix."""

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
            {
                "paper": p.key,
                "concept": m.concept_key,
                "count": m.count,
                "in_title": m.in_title,
                "form": m.form,
                "kind": m.kind,
            }
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
        self.concept_stats_refresh(keys=sorted(touched))
        for chunk in _chunks(sorted(previously_mentioned)):
            self._run(cypher.DELETE_EMPTY_COOCCURRENCES, {"keys": list(chunk)}, write=True)
        # Last: a paper without its hash is rewritten whole by the next run.
        self._run_batched(
            cypher.MARK_PAPERS_COMPLETE, [{"key": p.key, "hash": p.content_hash} for p in papers]
        )

    def paper_mentions_replace(
        self, *, mentions: dict[str, Sequence[Mention]], concepts: Sequence[ConceptRow]
    ) -> None:
        concept_rows = [
            {"key": c.key, "name": c.name, "kind": c.kind, "aliases": list(c.aliases)}
            for c in concepts
        ]
        self._run_batched(cypher.UPSERT_CONCEPTS, concept_rows)
        keys = list(mentions)
        previously = self.concepts_of_papers(keys=keys)
        for chunk in _chunks(keys):
            self._run(cypher.REMOVE_COOCCURRENCES, {"keys": list(chunk)}, write=True)
            self._run(cypher.DELETE_PAPER_MENTIONS, {"keys": list(chunk)}, write=True)
        rows = [
            {"paper": key, "concept": m.concept_key, "count": m.count, "in_title": m.in_title,
             "form": m.form, "kind": m.kind}
            for key, found in mentions.items()
            for m in found
        ]  # fmt: skip
        self._run_batched(cypher.MERGE_MENTIONS, rows)
        for chunk in _chunks(keys):
            self._run(cypher.ADD_COOCCURRENCES, {"keys": list(chunk)}, write=True)
        now = {m.concept_key for found in mentions.values() for m in found}
        self.concept_stats_refresh(keys=sorted(previously | now))
        for chunk in _chunks(sorted(previously)):
            self._run(cypher.DELETE_EMPTY_COOCCURRENCES, {"keys": list(chunk)}, write=True)
        for chunk in _chunks(sorted(previously - now)):
            self._run(cypher.DELETE_UNMENTIONED_CONCEPTS, {"keys": list(chunk)}, write=True)

    def concept_kinds(self) -> dict[str, str]:
        return {
            k: kind for page in self._pages(cypher.CONCEPT_KINDS_PAGE, 10_000) for k, kind in page
        }

    def concepts_of_papers(self, *, keys: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(keys):
            found.update(row[0] for row in self._run(cypher.CONCEPTS_OF_PAPERS, {"keys": chunk}))
        return found

    def counts(self) -> GraphCounts:
        values = {name: self._run(query)[0][0] for name, query in cypher.COUNT_NODES.items()}
        return GraphCounts(**values)

    def paper_texts(self, *, batch_size: int = 1000) -> Iterator[list[tuple[str, str, str]]]:
        for rows in self._pages(cypher.PAPER_TEXTS_PAGE, batch_size):
            yield [(key, title or "", abstract or "") for key, title, abstract in rows]

    def paper_concept_lists(
        self, *, min_papers: int, batch_size: int = 5000
    ) -> Iterator[list[tuple[str, str | None, str | None, list[str]]]]:
        for rows in self._pages(cypher.PAPER_CONCEPTS_PAGE, batch_size, min_papers=min_papers):
            yield [(key, published, primary, list(keys)) for key, published, primary, keys in rows]

    def papers_text(self, *, keys: Sequence[str]) -> dict[str, tuple[str, str]]:
        found = {}
        for chunk in _chunks(list(keys)):
            for key, title, abstract in self._run(cypher.PAPERS_TEXT, {"keys": list(chunk)}):
                found[key] = (title or "", abstract or "")
        return found

    def concept_names(
        self, *, min_papers: int = 0, batch_size: int = 5000
    ) -> Iterator[list[tuple[str, str, int]]]:
        for rows in self._pages(
            cypher.CONCEPT_NAMES_WITH_PAPERS_PAGE, batch_size, min_papers=min_papers
        ):
            yield [(key, name, papers or 0) for key, name, papers in rows]

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
        return {row[0]: _concept_brief(row) for row in rows}

    def mentions_of_papers_mentioning(self, *, concepts: Sequence[str]) -> dict[str, list[Mention]]:
        found: dict[str, list[Mention]] = {}
        for chunk in _chunks(list(concepts)):
            rows = self._run(cypher.MENTIONS_OF_PAPERS_MENTIONING, {"concepts": list(chunk)})
            for paper, concept, count, in_title, form, kind in rows:
                found.setdefault(paper, []).append(
                    Mention(concept, count or 1, bool(in_title), form or "", kind or "")
                )
        return found

    def paper_mentions(self, *, key: str) -> list[tuple[str, int, bool]]:
        return [(k, n, bool(t)) for k, n, t in self._run(cypher.PAPER_MENTIONS, {"key": key})]

    def concept_stats_refresh(self, *, keys: Sequence[str] | None = None) -> int:
        """Recompute paper counts, field profiles, names (the most common written form) and
        kinds (the most common reading) of the given concepts, or of all of them."""
        if keys is None:
            keys = [k for page in self._pages(cypher.CONCEPT_KEYS_PAGE, 10_000) for (k,) in page]
        for chunk in _chunks(list(keys)):
            self._run(cypher.REFRESH_CONCEPT_STATS, {"keys": list(chunk)}, write=True)
            self._run(cypher.REFRESH_CONCEPT_NAMES, {"keys": list(chunk)}, write=True)
            self._run(cypher.REFRESH_CONCEPT_KINDS, {"keys": list(chunk)}, write=True)
        return len(keys)

    def concept_tops_refresh(self, *, min_papers: int, stale_only: bool = True) -> int:
        """Recompute the cached strongest-partner lists: of stale concepts, or of all."""
        query = cypher.STALE_TOP_SIZES_PAGE if stale_only else cypher.CONCEPT_SIZES_PAGE
        rows = [row for page in self._pages(query, 10_000) for row in page]
        small = [key for key, papers in rows if (papers or 0) < min_papers]
        for chunk in _chunks(small, 5_000):
            self._run(cypher.CLEAR_TOP_NEIGHBOURS, {"keys": list(chunk)}, write=True)
        # Small batches: a batch holding a hub walks its whole adjacency.
        for chunk in _chunks([key for key, papers in rows if (papers or 0) >= min_papers], 200):
            self._run(
                cypher.REFRESH_TOP_NEIGHBOURS,
                {"keys": list(chunk), "min_papers": min_papers},
                write=True,
            )
        return len(rows)

    def concept_tops(self, *, keys: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
        found = {}
        for chunk in _chunks(list(keys)):
            for key, top_keys, weights in self._run(cypher.CONCEPT_TOPS, {"keys": list(chunk)}):
                found[key] = list(zip(top_keys, weights, strict=True))
        return found

    def _pages(self, query: str, limit: int, **params: Any) -> Iterator[list[list[Any]]]:
        """Keyset pages of a query ordered by its first column."""
        after = ""
        while rows := self._run(query, {"after": after, "limit": limit, **params}):
            yield rows
            after = rows[-1][0]

    # -- browsing --
    def concept_detail(self, *, key: str) -> ConceptDetail | None:
        rows = self._run(cypher.CONCEPT_DETAIL, {"key": key})
        if not rows:
            return None
        key, name, kind, aliases, papers, fields, counts = rows[0]
        return ConceptDetail(
            key, name, kind, tuple(aliases or ()), papers or 0, _profile(fields, counts)
        )

    def concept_months(self, *, key: str) -> list[tuple[str, int]]:
        return [(month, n) for month, n in self._run(cypher.CONCEPT_MONTHS, {"key": key})]

    def concept_top_papers(self, *, key: str, limit: int) -> list[PaperBrief]:
        rows = self._run(cypher.CONCEPT_TOP_PAPERS, {"key": key, "limit": limit})
        return [PaperBrief(*row) for row in rows]

    def concept_neighbours(
        self, *, keys: Sequence[str], per_key: int, where: NeighbourFilter
    ) -> dict[str, list[Neighbour]]:
        params = {
            "keys": list(keys),
            "per_key": per_key,
            "min_weight": where.min_weight,
            "kinds": list(where.kinds) if where.kinds else None,
            "fields": list(where.fields) if where.fields else None,
            "since": where.since,
            "until": where.until,
        }
        found: dict[str, list[Neighbour]] = {key: [] for key in keys}
        for key, rows in self._run(cypher.CONCEPT_NEIGHBOURS, params):
            found[key] = [
                Neighbour(ConceptBrief(k, name, kind, papers or 0, field), weight, first)
                for k, name, kind, papers, field, weight, first in rows
            ]
        return found

    def links_between(
        self, *, pairs: Sequence[tuple[str, str]], where: NeighbourFilter | None = None
    ) -> list[Link]:
        where = where or NeighbourFilter()
        params = {"min_weight": where.min_weight, "since": where.since, "until": where.until}
        links = []
        for chunk in _chunks(list(pairs), 5000):
            rows = self._run(
                cypher.COOCCURRENCE_OF_PAIRS, {"pairs": [list(p) for p in chunk], **params}
            )
            links.extend(Link(*row) for row in rows)
        return links

    def links_into(
        self, *, keys: Sequence[str], among: Sequence[str], min_weight: int = 1
    ) -> list[Link]:
        params = {"keys": list(keys), "among": list(among), "min_weight": min_weight}
        return [Link(*row) for row in self._run(cypher.LINKS_INTO_SET, params)]

    def bridging_papers(
        self, *, key: str, among: Sequence[str], limit: int
    ) -> list[tuple[PaperBrief, tuple[str, ...]]]:
        rows = self._run(cypher.BRIDGING_PAPERS, {"key": key, "keys": list(among), "limit": limit})
        return [(PaperBrief(*row[:4]), tuple(row[4])) for row in rows]

    def paper_detail(self, *, key: str) -> PaperDetail | None:
        rows = self._run(cypher.PAPER_DETAIL, {"key": key})
        if not rows:
            return None
        row = list(rows[0])
        row[7], row[8] = tuple(row[7] or ()), tuple(row[8] or ())  # authors, categories
        row[1], row[2] = row[1] or "", row[2] or ""
        return PaperDetail(*row)

    def paper_concepts(self, *, key: str) -> list[PaperConcept]:
        return [
            PaperConcept(ConceptBrief(k, name, kind, papers or 0), tuple(aliases or ()))
            for k, name, kind, papers, aliases in self._run(cypher.PAPER_CONCEPTS, {"key": key})
        ]

    def concept_profiles(
        self, *, min_papers: int, batch_size: int = 5000
    ) -> Iterator[list[ConceptDetail]]:
        for rows in self._pages(cypher.CONCEPT_PROFILES_PAGE, batch_size, min_papers=min_papers):
            yield [
                ConceptDetail(
                    key, name, kind, tuple(aliases or ()), papers or 0, _profile(fields, counts)
                )
                for key, name, kind, papers, fields, counts, aliases in rows
            ]

    def field_names(self) -> dict[str, str]:
        return dict(self._run(cypher.FIELD_NAMES))

    def papers_per_field(self) -> dict[str, int]:
        return {f: n for f, n in self._run(cypher.PAPERS_PER_PRIMARY_FIELD) if f}

    def latest_published(self) -> str | None:
        return self._run(cypher.LATEST_PUBLISHED)[0][0]

    def concept_monthly_since(self, *, since: str, min_papers: int) -> list[tuple[str, str, int]]:
        params = {"since": since, "min_papers": min_papers}
        return [tuple(row) for row in self._run(cypher.CONCEPT_MONTHLY_SINCE, params)]

    def concepts_most_connected(
        self, *, limit: int, candidates: int, min_papers: int
    ) -> list[tuple[ConceptBrief, int]]:
        params = {"limit": limit, "candidates": candidates, "min_papers": min_papers}
        rows = self._run(cypher.CONCEPTS_MOST_CONNECTED, params)
        return [(_concept_brief(row[:5]), row[5]) for row in rows]

    def text_search(self, *, label: str, text: str, limit: int) -> list[tuple[str, float]]:
        if label not in SEARCH_LABELS:
            raise ValueError(f"text search covers {SEARCH_LABELS}, not {label!r}")
        terms = search_terms(text)
        return self._text_search(label, terms, limit) if terms else []

    def clear(self) -> None:
        self._run(cypher.DELETE_ALL, write=True)


def _concept_brief(row: Sequence[Any]) -> ConceptBrief:
    key, name, kind, papers, field = row
    return ConceptBrief(key, name, kind, papers or 0, field or None)
