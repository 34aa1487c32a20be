"""The paper page: its abstract with concepts marked, and papers like it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from browse.selectors.common import PaperNotFound
from graph.factory import get_store
from graph.store import (
    ConceptBrief,
    PaperBrief,
    PaperDetail,
)
from index.selectors import key_vectors, nearest_keys
from index.vectorindex import PAPERS
from ingest.records import InvalidRecord, parse_arxiv_id


# -- paper page --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    text: str
    concept: str | None = None  # key of the concept this piece of text names


@dataclass(frozen=True)
class PaperPage:
    paper: PaperDetail
    abstract: list[Segment]
    concepts: list[ConceptBrief]
    similar: list[tuple[PaperBrief, float]]


def paper_page(*, paper_id: str) -> PaperPage:
    """`paper_id`: an arXiv id (any version) or a stored key (doi:..., title:...)."""
    store = get_store()
    try:
        key, _ = parse_arxiv_id(paper_id)
    except InvalidRecord:
        key = paper_id
    paper = store.paper_detail(key=key)
    if paper is None:
        raise PaperNotFound(f"no paper {paper_id!r}")
    mentioned = store.paper_concepts(key=key)
    forms = {m.concept.key: (m.concept.name, *m.aliases) for m in mentioned}
    return PaperPage(
        paper=paper,
        abstract=highlight(paper.abstract, forms),
        concepts=[m.concept for m in mentioned],
        similar=papers_similar(key=key, limit=8),
    )


_BOUNDARY_BEFORE = r"(?<![A-Za-z0-9])"
_BOUNDARY_AFTER = r"(?![A-Za-z0-9])"


def highlight(text: str, forms: dict[str, Sequence[str]]) -> list[Segment]:
    """Split `text` into plain pieces and pieces that name a concept (by its name or an alias,
    plural or not, any case), longest names first. The pieces stay text: templates escape them."""
    by_form: dict[str, str] = {}
    for key, names in forms.items():
        for name in names:
            if len(name) >= 2:
                by_form.setdefault(name.lower(), key)
    if not by_form or not text:
        return [Segment(text)] if text else []
    alternatives = sorted(by_form, key=len, reverse=True)
    pattern = re.compile(
        _BOUNDARY_BEFORE
        + "("
        + "|".join(re.escape(f).replace(r"\ ", r"[\s\-]+") for f in alternatives)
        + r")(?:e?s)?"
        + _BOUNDARY_AFTER,
        re.IGNORECASE,
    )
    segments: list[Segment] = []
    at = 0
    for match in pattern.finditer(text):
        key = by_form.get(re.sub(r"[\s\-]+", " ", match.group(1).lower()))
        if key is None:
            continue
        if match.start() > at:
            segments.append(Segment(text[at : match.start()]))
        segments.append(Segment(match.group(0), key))
        at = match.end()
    if at < len(text):
        segments.append(Segment(text[at:]))
    return segments


def papers_similar(*, key: str, limit: int) -> list[tuple[PaperBrief, float]]:
    vector = key_vectors(index=PAPERS, keys=[key]).get(key)
    if vector is None:
        return []
    nearest = [(k, s) for k, s in nearest_keys(index=PAPERS, vector=vector, limit=limit + 1)]
    ranked = [(other, score) for other, score in nearest if other != key]
    briefs = get_store().papers_brief(keys=[k for k, _ in ranked])
    return [(briefs[k], score) for k, score in ranked if k in briefs][:limit]
