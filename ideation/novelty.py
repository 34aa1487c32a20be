"""Has this idea been done? A check whose every conclusion points at papers.

Evidence: the papers nearest to the idea's statement (embedding search fused with the graph's
full-text index by reciprocal rank), the papers that already mention all of the idea's concepts
(as extracted concepts; for an idea's own pair, also spelt out in the text where extraction
missed one: "Lethe: Purifying Backdoored LLMs" names model editing and backdoors without a
concept node linking them), and the forecast for its concept pair. The verdict is `not_novel`
only when a specific paper is decisive: it mentions every concept of the idea, or it is nearly
the same text. Mere neighbours lower the score and can make the verdict `uncertain`, never
`not_novel`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from core.fusion import rank_fusion
from ideation.arxiv_search import LiveSearch
from ideation.history import History
from ideation.uses import text_names
from ingest.text import squash

NEAREST = 10
DECISIVE_SIMILARITY = 0.85  # a paper this close states the same idea
SIMILARITY_FLOOR, SIMILARITY_CEILING = 0.35, 0.85
NOVEL_AT = 0.66  # an open score (below) of 0.55, on the scale above COVERED_CEILING
COVERED_CEILING = 0.25  # no idea whose concepts a paper already joins scores above this
TEXT_SEARCH_DEPTH = 50  # full-text hits read for papers spelling out every concept's name


@dataclass(frozen=True)
class SimilarPaper:
    paper_id: str
    similarity: float


@dataclass
class NoveltyEvidence:
    similar: list[SimilarPaper]
    concepts: list[str]  # the idea's concept keys found in the graph
    co_mentioning: list[str]  # papers mentioning all of them (first few)
    co_mentioning_count: int
    best_coverage: float  # largest share of the idea's concepts one paper mentions
    forecast: float | None
    decisive_paper: str | None
    corpus_papers: int
    as_of: str | None
    checked_at: str
    judge: dict | None = field(default=None)
    live: dict | None = field(default=None)  # the live arXiv search, when one ran
    # Of `co_mentioning`, papers that spell out every name in their text though extraction did
    # not give them all the concepts.
    named_in_text: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class NoveltyResult:
    score: float
    verdict: str
    evidence: NoveltyEvidence


def _closeness(similarity: float) -> float:
    span = SIMILARITY_CEILING - SIMILARITY_FLOOR
    return min(max((similarity - SIMILARITY_FLOOR) / span, 0.0), 1.0)


def score_from(
    max_similarity: float, coverage: float, concepts: int, covering_similarity: float | None
) -> float:
    """Novelty in [0, 1]. When a paper mentions every concept (`covering_similarity` is the
    closest such paper's cosine to the statement), the score stays below COVERED_CEILING, lower
    the more that paper reads like the statement. Otherwise it is high when no paper is close in
    text and none covers most of the concepts."""
    if covering_similarity is not None and concepts >= 2:
        return round(COVERED_CEILING * (1 - _closeness(covering_similarity)), 4)
    covered = coverage if concepts >= 2 else 0.0
    open_score = (1 - _closeness(max_similarity)) * (1 - 0.8 * covered**2)
    return round(COVERED_CEILING + (1 - COVERED_CEILING) * open_score, 4)


def verdict_from(score: float, decisive: str | None) -> str:
    if decisive:
        return "not_novel"
    if score >= NOVEL_AT:
        return "novel"
    return "uncertain"


def fuse_ranks(*rankings: list[str]) -> list[str]:
    scores = rank_fusion(rankings)
    return sorted(scores, key=lambda key: -scores[key])


def concept_coverage(
    history: History, concepts: list[int], *, until: int | None
) -> tuple[np.ndarray, float]:
    """Papers mentioning all `concepts`, and the largest share of them any one paper mentions."""
    if not concepts:
        return np.array([], dtype=np.int64), 0.0
    columns = history.by_concept[:, concepts]
    per_paper = np.asarray(columns.sum(axis=1)).ravel()
    if until is not None:
        per_paper[history.paper_day > until] = 0
    full = np.flatnonzero(per_paper >= len(concepts))
    return full, float(per_paper.max() / len(concepts)) if per_paper.size else 0.0


_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-+.']*[A-Za-z0-9+]|[A-Za-z0-9]")
LONGEST_NAME = 6  # words


def concepts_named_in(history: History, text: str) -> list[str]:
    """Keys of the graph's concepts whose names the text spells out (any case, plural or
    hyphenation), longest names first and without overlap, in the order they appear."""
    words = _WORD.findall(text)
    found: list[tuple[int, str]] = []
    taken = [False] * len(words)
    for size in range(min(LONGEST_NAME, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            if any(taken[start : start + size]):
                continue
            key = squash(" ".join(words[start : start + size]))
            if key in history.concept_index:
                found.append((start, key))
                taken[start : start + size] = [True] * size
    return [key for _, key in sorted(found)]


def papers_naming_all(
    store, history: History, concepts: list[int], *, published: Callable[[str], bool]
) -> list[str]:
    """Keys of the graph's papers whose title or abstract spells out the name of every one of
    `concepts`: the full-text index's best TEXT_SEARCH_DEPTH hits for all their words, each
    read for the names themselves (so "prompt" and "optimization" apart do not count)."""
    names = [history.concept_names[c] for c in concepts]
    hits = [
        key
        for key, _ in store.text_search(
            label="Paper", text=" ".join(names), limit=TEXT_SEARCH_DEPTH
        )
        if key in history.paper_index and published(key)
    ]
    texts = store.papers_text(keys=hits) if hits else {}
    return [
        key
        for key in hits
        if all(text_names(". ".join(texts.get(key, ("", ""))), name) for name in names)
    ]


def novelty_check(
    *,
    text: str,
    vector: np.ndarray,
    history: History,
    store,
    concepts: list[str] | None = None,
    forecast: float | None = None,
    as_of: str | None = None,
    checked_at: str,
    live_search: Callable[[list[str]], LiveSearch] | None = None,
) -> NoveltyResult:
    """Check one idea. `vector` is the statement's embedding; `concepts` its concept keys (found
    by extraction from `text` when not given); `as_of` checks against the papers published by
    that date only; `live_search`, given the concepts' names, searches beyond the graph (a hit
    naming every concept is decisive, as a local paper mentioning them all is)."""
    from ideation.history import day_number
    from index.selectors import nearest_keys
    from index.vectorindex import PAPERS
    from ingest.extraction import extract_concepts

    until = day_number(as_of) if as_of else None

    def published_in_time(key: str) -> bool:
        if until is None:
            return True
        row = history.paper_index.get(key)
        return row is not None and history.paper_day[row] <= until

    depth = NEAREST if until is None else NEAREST * 20
    dense = {
        key: score
        for key, score in nearest_keys(index=PAPERS, vector=vector, limit=depth)
        if published_in_time(key)
    }
    words = [
        key
        for key, _ in store.text_search(label="Paper", text=text, limit=depth)
        if published_in_time(key)
    ]
    ranked = fuse_ranks(list(dense)[:NEAREST], words[:NEAREST])[:NEAREST]
    for key in ranked:  # words-only hits: their cosine from the history's paper vectors
        if key not in dense:
            row = history.paper_index.get(key)
            dense[key] = (
                float(history.paper_vectors[row] @ vector.ravel()) if row is not None else 0.0
            )
    similar = sorted(
        (SimilarPaper(key, round(float(dense[key]), 4)) for key in ranked),
        key=lambda paper: -paper.similarity,
    )
    given = concepts is not None
    if concepts is None:
        concepts = concepts_named_in(history, text) + [
            c.key for c in extract_concepts(text) if c.key in history.concept_index
        ]
    concepts = list(dict.fromkeys(concepts))[:8]
    columns = [history.concept_index[key] for key in concepts if key in history.concept_index]
    full, coverage = concept_coverage(history, columns, until=until)
    named_in_text: list[str] = []
    # Only for the concepts an idea was built from: names found in free text can be words any
    # abstract spells ("risks"), which would make everything covered.
    if given and len(columns) >= 2:
        extracted = set(full.tolist())
        named_in_text = [
            key
            for key in papers_naming_all(store, history, columns, published=published_in_time)
            if history.paper_index[key] not in extracted
        ]
        if named_in_text:
            rows = [history.paper_index[key] for key in named_in_text]
            full = np.union1d(full, np.asarray(rows, dtype=np.int64))
            coverage = 1.0
    max_similarity = similar[0].similarity if similar else 0.0
    covering_similarity = (
        float(np.max(history.paper_vectors[full] @ vector.ravel())) if len(full) else None
    )
    score = score_from(max_similarity, coverage, len(columns), covering_similarity)
    decisive = None
    if len(full) and len(columns) >= (2 if given else 3):
        decisive = history.paper_keys[int(full[np.argmax(history.paper_day[full])])]
    elif max_similarity >= DECISIVE_SIMILARITY:
        decisive = similar[0].paper_id
    live = None
    if live_search is not None and len(columns) >= 2:
        live = live_search([history.concept_names[c] for c in columns])
        if live.decisive is not None:
            score = min(score, COVERED_CEILING / 2)
            decisive = decisive or f"arXiv:{live.decisive.arxiv_id}"
    evidence = NoveltyEvidence(
        similar=similar,
        concepts=concepts,
        co_mentioning=[history.paper_keys[int(i)] for i in full[:10]],
        co_mentioning_count=int(len(full)),
        best_coverage=round(coverage, 4),
        forecast=None if forecast is None else round(float(forecast), 4),
        decisive_paper=decisive,
        corpus_papers=int(
            len(history.paper_keys) if until is None else (history.paper_day <= until).sum()
        ),
        as_of=as_of,
        checked_at=checked_at,
        live=live.as_dict() if live is not None else None,
        named_in_text=named_in_text[:10],
    )
    return NoveltyResult(score=score, verdict=verdict_from(score, decisive), evidence=evidence)
