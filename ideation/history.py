"""The graph's history as matrices: which paper mentioned which concept, and when.

Ideation reads the graph through this one table. It is built from the store in pages, kept in the
data dir and rebuilt when the graph's counts change. Only concepts with at least
`MIN_PAPERS` papers take part: a pair of rarer concepts carries too little signal to forecast or
to write an idea about. A `Snapshot` is the graph as it stood on one day.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from core.graph_marks import graph_rewritten_token
from graph.store import GraphStore
from ideation.uses import fights_in_text, uses_in_text
from ingest.extraction import concept_term
from ingest.text import squash
from ingest.variants import EMPTY_ADDITIONS

MIN_PAPERS = 3
RECENT_DAYS = 180
NEW_PARTNER_DAYS = 90
NO_DATE = np.iinfo(np.int32).min
# what a history holds and how it reads it; 2: stated uses, 3, 4 and 6: their rules, 5: fights,
# 7: uses read by aliases and in titles, 8: no fights in attack papers
HISTORY_FORMAT = 8


def day_number(iso: str | None) -> int:
    """Days since 1970-01-01 of an ISO date; NO_DATE when absent or malformed."""
    if not iso:
        return int(NO_DATE)
    try:
        return int(np.datetime64(iso[:10], "D").astype(np.int64))
    except ValueError:
        return int(NO_DATE)


def day_iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


@dataclass
class History:
    paper_keys: list[str]
    paper_day: np.ndarray  # int32 per paper
    paper_field: np.ndarray  # int32 index into `fields`, -1 when unknown
    fields: list[str]
    concept_keys: list[str]
    concept_names: list[str]
    concept_kinds: list[str]
    concept_aliases: list[tuple[str, ...]]  # the variants merged into each concept ("DPO")
    incidence: sparse.csr_matrix  # papers x concepts, 1 where the paper mentions the concept
    vectors: np.ndarray  # concepts x dim, L2-normalised, zeros where the concept has no vector
    paper_vectors: np.ndarray  # papers x dim, zeros where the paper has no vector
    version: str
    uses: np.ndarray  # (method, problem, paper) int32 rows: the paper states the method's use
    fights: np.ndarray  # (phenomenon, paper) int32 rows: the paper sets out to fight it

    @cached_property
    def concept_index(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.concept_keys)}

    @cached_property
    def concept_terms(self) -> list[str]:
        """Names to judge concepts by: an acronym-named node's long form ("small language model"
        for "SLM"), so that role and genericity rules read words, not letters."""
        pairs = zip(self.concept_keys, self.concept_names, strict=True)
        return [concept_term(key, name) for key, name in pairs]

    @cached_property
    def name_index(self) -> dict[str, int]:
        """Squashed names to indexes, for nodes whose name is not their key ("DPO")."""
        index: dict[str, int] = {}
        for i, name in enumerate(self.concept_names):
            index.setdefault(squash(name), i)
        return index

    @cached_property
    def kin(self) -> np.ndarray:
        """Each concept's index, or that of the concept its name names once the words that
        name no particular thing are dropped ("model finetuning" is "fine-tuning", "CLIP model"
        is "CLIP"): variants the embedding would not merge, but whose pairs are old news
        wherever the other name's are."""
        kin = np.arange(len(self.concept_keys), dtype=np.int64)
        index, names = self.concept_index, self.name_index
        for i, name in enumerate(self.concept_names):
            words = name.split()
            core = [w for w in words if w.lower() not in EMPTY_ADDITIONS]
            if core and len(core) < len(words):
                key = squash(" ".join(core))
                kin[i] = index.get(key, names.get(key, i))
        return kin

    @cached_property
    def paper_index(self) -> dict[str, int]:
        return {key: i for i, key in enumerate(self.paper_keys)}

    @cached_property
    def by_concept(self) -> sparse.csc_matrix:
        return self.incidence.tocsc()

    @cached_property
    def _use_papers(self) -> dict[tuple[int, int], np.ndarray]:
        order = np.lexsort((self.uses[:, 2], self.uses[:, 1], self.uses[:, 0]))
        rows = self.uses[order]
        grouped: dict[tuple[int, int], list[int]] = {}
        for method, problem, paper in rows.tolist():
            grouped.setdefault((method, problem), []).append(paper)
        return {pair: np.asarray(papers, dtype=np.int64) for pair, papers in grouped.items()}

    def use_papers(self, method: int, problem: int, *, until: int | None = None) -> np.ndarray:
        """Paper indexes stating `method` is used on `problem` (published on or before `until`),
        the most recent first."""
        papers = self._use_papers.get((method, problem), np.zeros(0, dtype=np.int64))
        if until is not None:
            papers = papers[self.paper_day[papers] <= until]
        return papers[np.argsort(-self.paper_day[papers], kind="stable")]

    @property
    def last_day(self) -> int:
        dated = self.paper_day[self.paper_day != NO_DATE]
        return int(dated.max()) if dated.size else int(NO_DATE)

    def papers_of(self, concept: int, *, until: int | None = None) -> np.ndarray:
        """Paper indexes mentioning a concept (published on or before `until`)."""
        col = self.by_concept
        rows = col.indices[col.indptr[concept] : col.indptr[concept + 1]]
        if until is not None:
            rows = rows[self.paper_day[rows] <= until]
        return rows

    @cached_property
    def fighting_papers(self) -> np.ndarray:
        """Whether each paper sets out to fight some phenomenon."""
        fighting = np.zeros(len(self.paper_keys), dtype=bool)
        fighting[self.fights[:, 1]] = True
        return fighting

    def fights_of(self, papers: np.ndarray) -> list[int]:
        """The phenomena `papers` set out to fight, the most often fought first."""
        fought = self.fights[np.isin(self.fights[:, 1], papers), 0]
        values, counts = np.unique(fought, return_counts=True)
        return [int(v) for v in values[np.argsort(-counts, kind="stable")]]

    def snapshot(self, day: int | None = None) -> Snapshot:
        return Snapshot(self, self.last_day if day is None else day)


class Snapshot:
    """Per-concept and per-pair statistics of the papers published on or before `day`."""

    def __init__(self, history: History, day: int):
        self.history, self.day = history, day
        # Statistics callers derive from this snapshot (percentile floors), computed once.
        self.derived: dict[str, Any] = {}
        kept = (history.paper_day <= day) & (history.paper_day != NO_DATE)
        papers = history.incidence[kept].astype(np.float32)
        days = history.paper_day[kept]
        self.papers = np.asarray(papers.sum(axis=0)).ravel()
        cooc = (papers.T @ papers).tocsr()
        cooc.setdiag(0)
        cooc.eliminate_zeros()
        self.cooc = cooc  # concept x concept: papers mentioning both
        self.adjacency = (cooc > 0).astype(np.float32).tocsr()
        uses = history.uses[history.paper_day[history.uses[:, 2]] <= day]
        shape = (len(history.concept_keys),) * 2
        # method x problem: papers stating the method is used on the problem, as of this day
        self.uses = sparse.csr_matrix(
            (np.ones(len(uses), dtype=np.float32), (uses[:, 0], uses[:, 1])), shape=shape
        )
        self.uses_by_problem = self.uses.T.tocsr()
        # Papers that set out to fight some phenomenon, and per concept how many of them name it:
        # a method's record against failures.
        self.fight_record = np.asarray(papers[history.fighting_papers[kept]].sum(axis=0)).ravel()
        # concept x phenomenon: papers naming the concept that set out to fight the phenomenon,
        # which tells a method's record against reward hacking from one against hallucinations.
        row_of = np.cumsum(kept) - 1
        fights = history.fights[kept[history.fights[:, 1]]]
        fight_incidence = sparse.csr_matrix(
            (
                np.ones(len(fights), dtype=np.float32),
                (row_of[fights[:, 1]], fights[:, 0]),
            ),
            shape=(papers.shape[0], len(history.concept_keys)),
        )
        self.fought = (papers.T @ fight_incidence).tocsr()
        self.degree = np.asarray(self.adjacency.sum(axis=1)).ravel()
        # Partners gained lately: how fast a concept is still finding new company.
        older = papers[days <= day - NEW_PARTNER_DAYS]
        older_degree = np.asarray(((older.T @ older) > 0).sum(axis=1)).ravel() - (
            np.asarray(older.sum(axis=0)).ravel() > 0
        )
        self.new_partners = np.maximum(self.degree - older_degree, 0)
        recent = papers[days > day - RECENT_DAYS]
        self.recent = np.asarray(recent.sum(axis=0)).ravel()
        self.first_day, self.last_day = _column_day_range(papers.tocsc(), days)
        field_of = history.paper_field[kept]
        known = field_of >= 0
        fields = sparse.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32), (np.flatnonzero(known), field_of[known])),
            shape=(papers.shape[0], max(len(history.fields), 1)),
        )
        profile = np.asarray((papers.T @ fields).todense(), dtype=np.float32)
        # Where each concept is used: the mean of its papers' embeddings, as of this day.
        vectors = history.paper_vectors[kept]
        context = papers.T @ vectors
        self.coherence_excess = _coherence_excess(context, self.papers, profile, fields, vectors)
        self.context = context / np.maximum(np.linalg.norm(context, axis=1, keepdims=True), 1e-9)
        # The same less what the concepts ideas are built from share: in a graph of one area all
        # contexts point one way (raw cosines 0.75-0.9 for unrelated problems); centred,
        # unrelated ones sit near 0 and alike ones ("object detection", "semantic segmentation")
        # near 0.6. The mean is taken over concepts with MIN_PAPERS papers or more: one-paper
        # concepts are single papers' embeddings. (Centring the unnormalised sums on every
        # concept left a shared offset: random pairs of the demo's problems at a median of 0.59.)
        established = self.papers >= MIN_PAPERS
        if not established.any():
            established = self.papers > 0
        # Kept to centre other contexts the same way (a set of papers' mean embedding).
        self.context_offset = (
            self.context[established].mean(axis=0)
            if established.any()
            else np.zeros(self.context.shape[1], dtype=np.float32)
        )
        centred = self.context - self.context_offset
        self.context_centred = centred / np.maximum(
            np.linalg.norm(centred, axis=1, keepdims=True), 1e-9
        )
        norms = np.linalg.norm(profile, axis=1, keepdims=True)
        self.field_unit = profile / np.maximum(norms, 1e-9)
        self.main_field = np.where(profile.sum(axis=1) > 0, profile.argmax(axis=1), -1)
        with np.errstate(divide="ignore"):
            self.inverse_log_degree = np.where(self.degree > 1, 1 / np.log(self.degree), 0)
            self.inverse_degree = np.where(self.degree > 0, 1 / self.degree, 0)

    def eligible(self, min_papers: int = MIN_PAPERS) -> np.ndarray:
        return np.flatnonzero(self.papers >= min_papers)

    def co_mentions(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(self.cooc[a, b]).ravel()

    def met_before(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether papers name each pair together, or one of them under its kin's name
        (`History.kin`): "model finetuning" and "emergent misalignment" have met wherever
        "fine-tuning" and "emergent misalignment" have."""
        kin = self.history.kin
        return (
            (self.co_mentions(a, b) > 0)
            | (self.co_mentions(kin[a], b) > 0)
            | (self.co_mentions(a, kin[b]) > 0)
        )

    def neighbour_scores(
        self, a: np.ndarray, b: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Common-neighbour counts, Adamic-Adar and resource-allocation sums of pairs, from one
        pass over their shared neighbours, in chunks to bound memory."""
        scores = np.zeros((3, len(a)), dtype=np.float32)
        for start in range(0, len(a), 5000):
            part = slice(start, start + 5000)
            both = self.adjacency[a[part]].multiply(self.adjacency[b[part]]).tocsr()
            scores[0, part] = np.asarray(both.sum(axis=1)).ravel()
            scores[1, part] = both @ self.inverse_log_degree
            scores[2, part] = both @ self.inverse_degree
        return scores[0], scores[1], scores[2]

    def common_neighbours(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Common-neighbour counts and Adamic-Adar sums of pairs."""
        cn, aa, _ = self.neighbour_scores(a, b)
        return cn, aa


def _coherence_excess(
    sums: np.ndarray,
    counts: np.ndarray,
    profile: np.ndarray,
    fields: sparse.csr_matrix,
    vectors: np.ndarray,
) -> np.ndarray:
    """How much more alike each concept's papers are than papers drawn at random from the same
    fields: the mean cosine over pairs of its papers (from `sums`, its papers' summed unit
    vectors: |sum|^2 counts each paper once with itself) less the mean cosine expected of pairs
    drawn by its field mix (`profile`). Near 0 for a name that says no particular thing ("feature
    selection", "parameter tuning", "thorough analysis"); NaN below 2 papers."""
    # The graph's papers at random: for concepts whose papers have no field, and for fields too
    # small to say (one paper, or papers with no vector).
    total = vectors.sum(axis=0)
    anywhere = (total @ total - len(vectors)) / max(len(vectors) * (len(vectors) - 1), 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        coherence = (np.einsum("ij,ij->i", sums, sums) - counts) / (counts * (counts - 1))
        field_sums = np.asarray(fields.T @ vectors)
        field_sizes = np.asarray(fields.sum(axis=0)).ravel()
        between = field_sums @ field_sums.T
        within = (np.diag(between) - field_sizes) / (field_sizes * (field_sizes - 1))
        between /= np.outer(field_sizes, field_sizes)
        between[np.diag_indices_from(between)] = within
        between = np.where(np.isfinite(between), between, anywhere)
        mix = profile / profile.sum(axis=1, keepdims=True)
        expected = np.einsum("cf,fg,cg->c", mix, between, mix)
    expected = np.where(np.isfinite(expected), expected, anywhere)
    return np.where(counts >= 2, coherence - expected, np.nan).astype(np.float32)


def _column_day_range(papers: sparse.csc_matrix, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = np.full(papers.shape[1], NO_DATE, dtype=np.int64)
    last = np.full(papers.shape[1], NO_DATE, dtype=np.int64)
    counts = np.diff(papers.indptr)
    present = counts > 0
    if papers.nnz:
        row_days = days[papers.indices].astype(np.int64)
        starts = papers.indptr[:-1][present]
        first[present] = np.minimum.reduceat(row_days, starts)
        last[present] = np.maximum.reduceat(row_days, starts)
    return first, last


# -- building and caching ------------------------------------------------------------------------
_cache_lock = threading.Lock()
_loaded: dict[str, History] = {}


def graph_version(store: GraphStore) -> str:
    """The graph's counts and rewrite mark, and what the history reads from it (HISTORY_FORMAT):
    a cached history of another version is rebuilt."""
    counts = store.counts()
    return (
        f"{counts.papers}:{counts.concepts}:{counts.mentions}:{graph_rewritten_token()}"
        f":h{HISTORY_FORMAT}"
    )


def uses_table(
    names: list[str],
    kinds: list[str],
    incidence: sparse.csr_matrix,
    texts: list[str],
    aliases: list[tuple[str, ...]] | None = None,
) -> np.ndarray:
    """(method, problem, paper) rows for every use a paper's text states among its own concepts
    (`uses_in_text`), by their names or `aliases`; concepts of kind "method" take the method's
    place, and a phenomenon counts only where the text says the method fights it."""
    rows: list[tuple[int, int, int]] = []
    for paper, text in enumerate(texts):
        concepts = incidence.indices[incidence.indptr[paper] : incidence.indptr[paper + 1]]
        if not text or len(concepts) < 2:
            continue
        methods = {int(c) for c in concepts if kinds[c] == "method"}
        if not methods:
            continue
        named = [(int(c), names[c]) for c in concepts]
        fought = frozenset(int(c) for c in concepts if kinds[c] == "phenomenon")
        other_names = {int(c): aliases[c] for c in concepts} if aliases else None
        rows += [
            (m, p, paper)
            for m, p in uses_in_text(text, named, methods, fought, other_names, titled=True)
        ]
    return np.asarray(rows, dtype=np.int32).reshape(-1, 3)


def fights_table(
    names: list[str], kinds: list[str], incidence: sparse.csr_matrix, texts: list[str]
) -> np.ndarray:
    """(phenomenon, paper) rows for every phenomenon among a paper's concepts that its text says
    it fights (`fights_in_text`)."""
    rows: list[tuple[int, int]] = []
    for paper, text in enumerate(texts):
        concepts = incidence.indices[incidence.indptr[paper] : incidence.indptr[paper + 1]]
        phenomena = [(int(c), names[c]) for c in concepts if kinds[c] == "phenomenon"]
        if text and phenomena:
            rows += [(c, paper) for c in fights_in_text(text, phenomena, titled=True)]
    return np.asarray(rows, dtype=np.int32).reshape(-1, 2)


def history_build(
    *, store: GraphStore, concept_vectors, paper_vectors, min_papers: int = MIN_PAPERS
) -> History:
    """Read the whole mention table from the store. `concept_vectors(keys)` and
    `paper_vectors(keys)` return an array of unit vectors in the keys' order, zeros for keys
    without one."""
    version = graph_version(store)
    paper_keys, paper_day, paper_field_names, rows, cols = [], [], [], [], []
    concept_index: dict[str, int] = {}
    for page in store.paper_concept_lists(min_papers=min_papers):
        for key, published, primary, concepts in page:
            row = len(paper_keys)
            paper_keys.append(key)
            paper_day.append(day_number(published))
            paper_field_names.append(primary or "")
            for concept in concepts:
                rows.append(row)
                cols.append(concept_index.setdefault(concept, len(concept_index)))
    fields = sorted({name for name in paper_field_names if name})
    field_index = {name: i for i, name in enumerate(fields)}
    concept_keys = list(concept_index)
    names, kinds, aliases = {}, {}, {}
    for page in store.concept_profiles(min_papers=min_papers):
        for concept in page:
            names[concept.key], kinds[concept.key] = concept.name, concept.kind
            aliases[concept.key] = concept.aliases
    incidence = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(len(paper_keys), len(concept_keys)),
    )
    incidence.data[:] = 1  # a paper listing a concept twice still mentions it once
    concept_names = [names.get(key, key) for key in concept_keys]
    concept_kinds = [kinds.get(key, "other") for key in concept_keys]
    concept_aliases = [aliases.get(key, ()) for key in concept_keys]
    texts = _paper_texts(store, paper_keys)
    return History(
        paper_keys=paper_keys,
        paper_day=np.asarray(paper_day, dtype=np.int32),
        paper_field=np.asarray([field_index.get(n, -1) for n in paper_field_names], np.int32),
        fields=fields,
        concept_keys=concept_keys,
        concept_names=concept_names,
        concept_kinds=concept_kinds,
        concept_aliases=concept_aliases,
        incidence=incidence,
        vectors=concept_vectors(concept_keys),
        paper_vectors=paper_vectors(paper_keys),
        version=version,
        uses=uses_table(concept_names, concept_kinds, incidence, texts, concept_aliases),
        fights=fights_table(concept_names, concept_kinds, incidence, texts),
    )


def _paper_texts(store: GraphStore, keys: list[str], page: int = 5000) -> list[str]:
    texts: list[str] = []
    for start in range(0, len(keys), page):
        chunk = keys[start : start + page]
        found = store.papers_text(keys=chunk)
        texts += [". ".join(part for part in found.get(key, ("", "")) if part) for key in chunk]
    return texts


def history_save(history: History, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(
        tmp,
        meta=np.array(
            json.dumps(
                {
                    "paper_keys": history.paper_keys,
                    "fields": history.fields,
                    "concept_keys": history.concept_keys,
                    "concept_names": history.concept_names,
                    "concept_kinds": history.concept_kinds,
                    "concept_aliases": history.concept_aliases,
                    "version": history.version,
                }
            )
        ),
        paper_day=history.paper_day,
        paper_field=history.paper_field,
        indptr=history.incidence.indptr,
        indices=history.incidence.indices,
        vectors=history.vectors.astype(np.float16),
        paper_vectors=history.paper_vectors.astype(np.float16),
        uses=history.uses,
        fights=history.fights,
    )
    os.replace(tmp, path)


def history_load(path: Path) -> History:
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        indices = data["indices"]
        incidence = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, data["indptr"]),
            shape=(len(meta["paper_keys"]), len(meta["concept_keys"])),
        )
        return History(
            paper_keys=meta["paper_keys"],
            paper_day=data["paper_day"],
            paper_field=data["paper_field"],
            fields=meta["fields"],
            concept_keys=meta["concept_keys"],
            concept_names=meta["concept_names"],
            concept_kinds=meta["concept_kinds"],
            concept_aliases=[
                tuple(a) for a in meta.get("concept_aliases", [()] * len(meta["concept_keys"]))
            ],
            incidence=incidence,
            vectors=data["vectors"].astype(np.float32),
            paper_vectors=data["paper_vectors"].astype(np.float32),
            version=meta["version"],
            # a file of format 1 has none; its version differs, so `history_current` rebuilds it
            uses=data["uses"] if "uses" in data else np.zeros((0, 3), dtype=np.int32),
            fights=data["fights"] if "fights" in data else np.zeros((0, 2), dtype=np.int32),
        )


def history_current(*, store: GraphStore, path: Path, concept_vectors, paper_vectors) -> History:
    """The history of the graph as it is now: from memory, the cache file, or the store."""
    version = graph_version(store)
    with _cache_lock:
        held = _loaded.get(str(path))
        if held is not None and held.version == version:
            return held
        history = None
        if path.exists():
            history = history_load(path)
            if history.version != version:
                history = None
        if history is None:
            history = history_build(
                store=store, concept_vectors=concept_vectors, paper_vectors=paper_vectors
            )
            history_save(history, path)
        _loaded[str(path)] = history
        return history


def history_forget() -> None:
    with _cache_lock:
        _loaded.clear()
