"""Cross-field concept pairs worth an idea, found without enumerating all pairs.

Each source concept (the seeds, or the most active concepts that pass the filters) looks for
partners two ways: its nearest concepts by embedding and the concepts two co-mention steps away.
A partner qualifies when its papers sit mainly in another field, the two were never mentioned
together (or at most `max_co_mentions` times), and it is not the same idea in other words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ideation.history import MIN_PAPERS, Snapshot, day_number

PARTNERS_PER_SOURCE = 60
SYNONYM_COSINE = 0.85  # above this two names usually denote one concept
USES_PER_CONCEPT = 2  # a concept appears in at most this many chosen pairs
# Concepts in more than this share of all papers ("large language model", "accuracy") make
# vague ideas; they take part only as seeds.
GENERIC_SHARE = 0.02
DEFAULT_KINDS = ("method", "task", "dataset")


class UnknownConcepts(ValueError):
    def __init__(self, names: list[str]):
        super().__init__(f"unknown concept(s): {', '.join(names)}")
        self.names = names


@dataclass(frozen=True)
class CandidateQuery:
    seeds: tuple[str, ...] = ()  # concept keys
    fields: tuple[str, ...] = ()  # primary categories, e.g. cs.LG
    kinds: tuple[str, ...] = DEFAULT_KINDS  # allowed concept kinds; empty: any
    active_since: str | None = None  # both concepts have a paper on or after this date
    max_co_mentions: int = 0
    min_field_distance: float = 0.5
    min_papers: int = MIN_PAPERS


@dataclass
class Candidates:
    a: np.ndarray
    b: np.ndarray
    considered: int = 0  # pairs looked at before filtering


def _allowed(snapshot: Snapshot, query: CandidateQuery) -> np.ndarray:
    history = snapshot.history
    ok = snapshot.papers >= query.min_papers
    ok &= snapshot.papers <= max(GENERIC_SHARE * len(history.paper_keys), query.min_papers)
    if query.kinds:
        ok &= np.isin(np.asarray(history.concept_kinds), query.kinds)
    if query.fields:
        wanted = [history.fields.index(f) for f in query.fields if f in history.fields]
        ok &= np.isin(snapshot.main_field, wanted)
    if query.active_since:
        ok &= snapshot.last_day >= day_number(query.active_since)
    return ok


def _same_words(a: str, b: str) -> bool:
    words_a, words_b = set(a.lower().split()), set(b.lower().split())
    return words_a <= words_b or words_b <= words_a


def candidate_pairs(snapshot: Snapshot, query: CandidateQuery, *, limit: int) -> Candidates:
    """Up to `limit` candidate pairs per source pool, unranked; see the module doc."""
    history = snapshot.history
    allowed = _allowed(snapshot, query)
    if query.seeds:
        unknown = [s for s in query.seeds if s not in history.concept_index]
        if unknown:
            raise UnknownConcepts(unknown)
        sources = np.array([history.concept_index[s] for s in query.seeds])
    else:
        pool = np.flatnonzero(allowed)
        activity = np.log1p(snapshot.papers[pool]) * (1 + snapshot.recent[pool])
        sources = pool[np.argsort(-activity)[: max(4 * limit, 50)]]
    partners = np.flatnonzero(allowed)
    if not len(sources) or not len(partners):
        return Candidates(np.array([], np.int64), np.array([], np.int64))
    # Embedding neighbours: one matrix product of sources x allowed partners.
    similarity = history.vectors[sources] @ history.vectors[partners].T
    near = np.argpartition(-similarity, min(PARTNERS_PER_SOURCE, len(partners) - 1), axis=1)
    near = near[:, :PARTNERS_PER_SOURCE]
    # Graph neighbourhood: partners sharing the most co-mention neighbours with the source.
    two_steps = (snapshot.adjacency[sources] @ snapshot.adjacency[:, partners]).tocsr()
    pair_a, pair_b = [], []
    for row, source in enumerate(sources):
        chosen = set(partners[near[row]].tolist())
        start, stop = two_steps.indptr[row], two_steps.indptr[row + 1]
        if stop > start:
            weights = two_steps.data[start:stop]
            top = two_steps.indices[start:stop][np.argsort(-weights)[:PARTNERS_PER_SOURCE]]
            chosen.update(partners[top].tolist())
        chosen.discard(int(source))
        pair_a.extend([int(source)] * len(chosen))
        pair_b.extend(chosen)
    a, b = np.asarray(pair_a, dtype=np.int64), np.asarray(pair_b, dtype=np.int64)
    considered = len(a)
    if not considered:
        return Candidates(a, b)
    cosine = np.einsum("ij,ij->i", history.vectors[a], history.vectors[b])
    field_distance = 1 - np.einsum("ij,ij->i", snapshot.field_unit[a], snapshot.field_unit[b])
    keep = (
        (snapshot.co_mentions(a, b) <= query.max_co_mentions)
        & (field_distance >= query.min_field_distance)
        & (cosine < SYNONYM_COSINE)
        & (snapshot.main_field[a] != snapshot.main_field[b])
    )
    a, b = a[keep], b[keep]
    names = history.concept_names
    distinct = np.array([not _same_words(names[x], names[y]) for x, y in zip(a, b, strict=True)])
    a, b = (a[distinct], b[distinct]) if len(a) else (a, b)
    # One row per unordered pair.
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    _, first = np.unique(lo * len(names) + hi, return_index=True)
    return Candidates(lo[first], hi[first], considered=considered)


def pairs_choose(
    a: np.ndarray, b: np.ndarray, scores: np.ndarray, *, n: int, per_concept: int = USES_PER_CONCEPT
) -> list[int]:
    """Indexes of the `n` best-scored pairs, no concept used more than `per_concept` times."""
    used: dict[int, int] = {}
    chosen = []
    for i in np.argsort(-scores, kind="stable"):
        x, y = int(a[i]), int(b[i])
        if used.get(x, 0) >= per_concept or used.get(y, 0) >= per_concept:
            continue
        chosen.append(int(i))
        used[x], used[y] = used.get(x, 0) + 1, used.get(y, 0) + 1
        if len(chosen) == n:
            break
    return chosen
