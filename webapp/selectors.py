"""Read side of browsing: what the concept, paper, search, explorer, fields and dashboard pages
show. Every function reads the graph store and the vector indexes; none writes."""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any, TypeVar

import numpy as np

from graph.cypher import TOP_NEIGHBOURS
from graph.factory import get_store
from graph.store import (
    ConceptBrief,
    ConceptDetail,
    Neighbour,
    NeighbourFilter,
    PaperBrief,
    PaperDetail,
)
from ingest.records import InvalidRecord, parse_arxiv_id
from ingest.selectors import semantic_search, vector_keys
from ingest.text import squash
from ingest.vectorindex import CONCEPTS, PAPERS, get_index, vector_id

MAX_DEPTH = 3
MAX_NODES = 500
FRONTIER_CAP = 60  # nodes expanded per level beyond the first: bounds the cost of depth 2 and 3
LINKS_PER_NODE = 3  # beyond the expansion's own links, each node's strongest few are drawn
SIMILAR_EDGE_MIN = 0.7  # cosine at which two concepts on screen get a "similar" edge
SIMILAR_EXTRA_NODES = 10
PATH_FANOUT = TOP_NEIGHBOURS
PATH_FRONTIER_CAP = 300
SUMMARY_TTL_S = 300.0


class ConceptNotFound(LookupError):
    def __init__(self, key: str):
        super().__init__(f"no concept with key {key!r}")
        self.key = key


# -- small process-wide cache for whole-graph summaries (fields map, dashboard lists) ----------
T = TypeVar("T")
_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _cached(name: str, compute: Callable[[], T], ttl: float = SUMMARY_TTL_S) -> T:
    """Whole-graph summaries take a second or more on a large graph; they are recomputed at most
    every `ttl` seconds per process."""
    with _cache_lock:
        hit = _cache.get(name)
        if hit and time.monotonic() - hit[0] < ttl:
            return hit[1]
    value = compute()
    with _cache_lock:
        _cache[name] = (time.monotonic(), value)
    return value


def summaries_forget() -> None:
    with _cache_lock:
        _cache.clear()


# -- explorer ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Node:
    id: str
    label: str
    kind: str
    field: str | None
    papers: int | None
    depth: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    weight: float
    type: str  # "cooccurs" (weight: papers), "similar" (weight: cosine), "mentions"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Neighbourhood:
    center: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)
    truncated: bool = False

    def add_node(self, concept: ConceptBrief, depth: int) -> None:
        self.nodes.setdefault(
            concept.key,
            Node(concept.key, concept.name, concept.kind, concept.field, concept.papers, depth),
        )

    def add_edge(self, a: str, b: str, weight: float, kind: str) -> None:
        source, target = (a, b) if kind == "mentions" or a < b else (b, a)
        self.edges.setdefault((source, target, kind), Edge(source, target, weight, kind))

    def linked(self, a: str, b: str) -> bool:
        return (min(a, b), max(a, b), "cooccurs") in self.edges

    def as_json(self) -> dict[str, Any]:
        return {
            "center": self.center,
            "nodes": [n.as_json() for n in self.nodes.values()],
            "edges": [e.as_json() for e in self.edges.values()],
            "truncated": self.truncated,
        }


def concept_neighbours(
    *, keys: Sequence[str], per_key: int, where: NeighbourFilter
) -> dict[str, list[Neighbour]]:
    """The strongest partners of each concept: from the cached lists when the filter allows and
    the list is long enough, from the live links otherwise (filters, uncached concepts)."""
    store = get_store()
    if where.kinds or where.fields or where.since or where.until:
        return store.concept_neighbours(keys=keys, per_key=per_key, where=where)
    usable = {
        key: top
        for key, top in store.concept_tops(keys=keys).items()
        if len(top) >= per_key or len(top) < TOP_NEIGHBOURS
    }
    live = [key for key in keys if key not in usable]
    found = store.concept_neighbours(keys=live, per_key=per_key, where=where) if live else {}
    chosen = {
        key: [(other, w) for other, w in top if w >= where.min_weight][:per_key]
        for key, top in usable.items()
    }
    briefs = store.concepts_brief(keys=list({o for top in chosen.values() for o, _ in top}))
    for key, top in chosen.items():
        found[key] = [Neighbour(briefs[o], w, None) for o, w in top if o in briefs]
    return found


def concept_resolve(*, text: str) -> str | None:
    """The key of the concept `text` names: a key as is, or a name or written form of one."""
    text = text.strip()
    if not text:
        return None
    found = get_store().concepts_brief(keys=list(dict.fromkeys([text, squash(text)])))
    return text if text in found else next(iter(found), None)


def concept_neighbourhood(
    *,
    key: str,
    depth: int = 1,
    limit: int = 60,
    where: NeighbourFilter | None = None,
    similar: bool = False,
    papers: bool = False,
) -> Neighbourhood:
    """The concepts around `key` by co-occurrence, breadth first to `depth`, at most `limit`
    nodes, sharing each level's room fairly among the nodes it expands (strongest links first)."""
    where = where or NeighbourFilter()
    depth = max(1, min(depth, MAX_DEPTH))
    limit = max(1, min(limit, MAX_NODES))
    store = get_store()
    center = store.concepts_brief(keys=[key]).get(key)
    if center is None:
        raise ConceptNotFound(key)
    view = Neighbourhood(center=key)
    view.add_node(center, 0)
    frontier = [key]
    for level in range(1, depth + 1):
        room = limit - len(view.nodes)
        if room <= 0 or not frontier:
            view.truncated = view.truncated or bool(frontier)
            break
        per_key = max(3, math.ceil(room / len(frontier)))
        found = concept_neighbours(keys=frontier, per_key=per_key + 10, where=where)
        added = _add_round_robin(view, frontier, found, room, level)
        frontier = added[:FRONTIER_CAP]
    tree = set(view.edges)
    _add_links_among(view, where)
    _prune_links(view, keep=tree)
    if similar:
        _add_similar(view, key)
    if papers:
        _add_bridging_papers(view, key)
    return view


def _add_round_robin(
    view: Neighbourhood,
    frontier: list[str],
    found: dict[str, list[Neighbour]],
    room: int,
    level: int,
) -> list[str]:
    """Take the best remaining neighbour of each frontier node in turn until the room is used."""
    added: list[str] = []
    queues = [found.get(source, []) for source in frontier]
    rank = 0
    while len(added) < room and any(rank < len(q) for q in queues):
        for source, queue in zip(frontier, queues, strict=True):
            if rank >= len(queue):
                continue
            neighbour = queue[rank]
            other = neighbour.concept.key
            if other not in view.nodes:
                if len(added) >= room:
                    view.truncated = True
                    continue
                view.add_node(neighbour.concept, level)
                added.append(other)
            view.add_edge(source, other, neighbour.weight, "cooccurs")
        rank += 1
    # Links between already-placed nodes found at lower ranks are still worth drawing.
    for source, queue in zip(frontier, queues, strict=True):
        for neighbour in queue[rank:]:
            if neighbour.concept.key in view.nodes:
                view.add_edge(source, neighbour.concept.key, neighbour.weight, "cooccurs")
            else:
                view.truncated = True
    return added


def _add_links_among(view: Neighbourhood, where: NeighbourFilter) -> None:
    """Links between the concepts on screen: those among either end's cached strongest partners,
    and the links of concepts without a cached list (small ones: their few links are read
    whole). The cache holds no dates, so a date-filtered view shows only the links found while
    expanding."""
    if where.since or where.until:
        return
    store = get_store()
    keys = list(view.nodes)
    on_screen = set(keys)
    tops = store.concept_tops(keys=keys)
    for a, top in tops.items():
        for b, weight in top:
            if b in on_screen and weight >= where.min_weight:
                view.add_edge(a, b, weight, "cooccurs")
    uncached = [k for k in keys if k not in tops]
    if uncached:
        for link in store.links_into(keys=uncached, among=keys, min_weight=where.min_weight):
            view.add_edge(link.source, link.target, link.weight, "cooccurs")


def _prune_links(view: Neighbourhood, keep: set, per_node: int = LINKS_PER_NODE) -> None:
    """A hub's view can hold tens of thousands of links, more than a browser lays out quickly or
    a person can read: keep the links the expansion followed and each node's strongest few."""
    if len(view.edges) <= per_node * len(view.nodes):
        return
    by_node: dict[str, list[tuple[float, tuple[str, str, str]]]] = {}
    for edge_key, edge in view.edges.items():
        if edge_key not in keep:
            by_node.setdefault(edge.source, []).append((edge.weight, edge_key))
            by_node.setdefault(edge.target, []).append((edge.weight, edge_key))
    kept = set(keep)
    for ranked in by_node.values():
        kept.update(edge_key for _, edge_key in sorted(ranked, reverse=True)[:per_node])
    view.edges = {k: e for k, e in view.edges.items() if k in kept}


def _concept_vectors(keys: Sequence[str]) -> dict[str, np.ndarray]:
    ids = {vector_id(k): k for k in keys}
    return {ids[vid]: vec for vid, vec in get_index(CONCEPTS).vectors(list(ids)).items()}


def _add_similar(view: Neighbourhood, key: str) -> None:
    """Concepts near `key` in meaning that it never co-occurs with, and "similar" edges between
    unlinked concepts on screen whose embeddings are close."""
    for brief, score in concepts_related_unlinked(key=key, limit=SIMILAR_EXTRA_NODES):
        view.add_node(brief, 1)
        view.add_edge(key, brief.key, round(score, 3), "similar")
    vectors = _concept_vectors(list(view.nodes))
    if len(vectors) < 2:
        return
    keys = list(vectors)
    matrix = np.stack([vectors[k] for k in keys])
    cosine = matrix @ matrix.T
    rows, cols = np.nonzero(np.triu(cosine, k=1) >= SIMILAR_EDGE_MIN)
    best = sorted(zip(rows, cols, strict=True), key=lambda rc: -cosine[rc])
    for i, j in best[: 2 * len(keys)]:
        if not view.linked(keys[i], keys[j]):
            view.add_edge(keys[i], keys[j], round(float(cosine[i, j]), 3), "similar")


def _add_bridging_papers(view: Neighbourhood, key: str, limit: int = 15) -> None:
    for paper, hits in get_store().bridging_papers(key=key, among=list(view.nodes), limit=limit):
        node_id = f"paper:{paper.key}"
        view.nodes.setdefault(
            node_id, Node(node_id, paper.title, "paper", paper.primary_category, None, 1)
        )
        for concept in hits:
            view.add_edge(node_id, concept, 1, "mentions")


def concepts_related_unlinked(*, key: str, limit: int) -> list[tuple[ConceptBrief, float]]:
    """Concepts nearest to `key` in meaning that no paper mentions together with it: where two
    lines of work may not have met yet."""
    vector = _concept_vectors([key]).get(key)
    if vector is None:
        return []
    hits = get_index(CONCEPTS).search(vector[None, :], limit * 4 + 1)[0]
    keys = vector_keys(index=CONCEPTS, vids=[h.vid for h in hits])
    ranked = [(keys[h.vid], h.score) for h in hits if keys.get(h.vid) not in (None, key)]
    store = get_store()
    linked = {
        link.target if link.source == key else link.source
        for link in store.links_between(pairs=[(key, other) for other, _ in ranked])
    }
    briefs = store.concepts_brief(keys=[k for k, _ in ranked if k not in linked])
    return [(briefs[k], s) for k, s in ranked if k in briefs][:limit]


def concept_path(
    *, source: str, target: str, min_weight: int = 1, max_hops: int = 4
) -> Neighbourhood | None:
    """A short path between two concepts over their strongest co-occurrence links (each step
    follows one of a concept's PATH_FANOUT strongest links), found by a breadth-first search from
    both ends; None when there is none within `max_hops`."""
    store = get_store()
    briefs = store.concepts_brief(keys=[source, target])
    for key in (source, target):
        if key not in briefs:
            raise ConceptNotFound(key)
    where = NeighbourFilter(min_weight=min_weight)
    parents: list[dict[str, tuple[str | None, Neighbour | None]]] = [
        {source: (None, None)},
        {target: (None, None)},
    ]
    frontiers = [[source], [target]]
    meet = source if source == target else None
    hops = 0
    while meet is None and hops < max_hops and all(frontiers):
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        found = concept_neighbours(keys=frontiers[side], per_key=PATH_FANOUT, where=where)
        next_frontier = []
        for parent in frontiers[side]:
            for neighbour in found.get(parent, []):
                key = neighbour.concept.key
                if key in parents[side]:
                    continue
                parents[side][key] = (parent, neighbour)
                next_frontier.append(key)
                if key in parents[1 - side]:
                    meet = key
                    break
            if meet:
                break
        frontiers[side] = next_frontier[:PATH_FRONTIER_CAP]
        hops += 1
    if meet is None:
        return None
    view = Neighbourhood(center=source)
    chain = _walk(parents[0], meet)[::-1] + _walk(parents[1], meet)[1:]
    known = {**briefs, **{n.concept.key: n.concept for p in parents for _, n in p.values() if n}}
    for step, key in enumerate(chain):
        view.add_node(known[key], step)
    for a, b in zip(chain, chain[1:], strict=False):
        weight = _link_weight(parents, a, b)
        view.add_edge(a, b, weight, "cooccurs")
    return view


def _walk(parents: dict[str, tuple[str | None, Neighbour | None]], key: str) -> list[str]:
    chain = [key]
    while (parent := parents[chain[-1]][0]) is not None:
        chain.append(parent)
    return chain


def _link_weight(parents: list[dict], a: str, b: str) -> int:
    for side in parents:
        for child, parent in ((b, a), (a, b)):
            entry = side.get(child)
            if entry and entry[0] == parent and entry[1] is not None:
                return entry[1].weight
    return 1


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
    )


def field_names() -> dict[str, str]:
    return _cached("field_names", lambda: get_store().field_names())


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


class PaperNotFound(LookupError):
    pass


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
    vid = vector_id(key)
    vector = get_index(PAPERS).vectors([vid]).get(vid)
    if vector is None:
        return []
    hits = [h for h in get_index(PAPERS).search(vector[None, :], limit + 1)[0] if h.vid != vid]
    keys = vector_keys(index=PAPERS, vids=[h.vid for h in hits])
    briefs = get_store().papers_brief(keys=list(keys.values()))
    return [
        (briefs[keys[h.vid]], h.score) for h in hits if h.vid in keys and keys[h.vid] in briefs
    ][:limit]


# -- search ------------------------------------------------------------------------------------
RRF_K = 60  # reciprocal rank fusion constant (Cormack et al. 2009)


@dataclass(frozen=True)
class PaperHit:
    paper: PaperBrief
    score: float
    matched: tuple[str, ...]  # "words", "meaning"

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.paper.key,
            "title": self.paper.title,
            "published": self.paper.published,
            "primary_category": self.paper.primary_category,
            "score": round(self.score, 5),
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class ConceptHit:
    concept: ConceptBrief
    score: float
    matched: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.concept.key,
            "name": self.concept.name,
            "kind": self.concept.kind,
            "papers": self.concept.papers,
            "field": self.concept.field,
            "score": round(self.score, 5),
            "matched": list(self.matched),
        }


@dataclass(frozen=True)
class SearchResults:
    query: str
    papers: list[PaperHit]
    concepts: list[ConceptHit]

    def as_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "papers": [h.as_json() for h in self.papers],
            "concepts": [h.as_json() for h in self.concepts],
        }


MAX_QUERY_CHARS = 200


def search(*, query: str, limit: int = 10) -> SearchResults:
    """Papers and concepts matching `query` by words (full-text index) and by meaning (embedding
    nearest neighbours), fused by reciprocal rank. A concept whose name is the query comes first;
    among concepts matched by words, those in more papers rank higher."""
    query = query.strip()[:MAX_QUERY_CHARS]
    if not query:
        return SearchResults(query, [], [])
    store = get_store()
    meaning = semantic_search(query=query, limit=limit * 2)
    word_papers = [k for k, _ in store.text_search(label="Paper", text=query, limit=limit * 2)]
    word_concept_keys = [k for k, _ in store.text_search(label="Concept", text=query, limit=100)]
    word_concepts = store.concepts_brief(keys=word_concept_keys)
    exact = squash(query)
    by_papers = sorted(
        word_concepts.values(), key=lambda c: (c.key != exact, -c.papers, len(c.name))
    )
    paper_briefs = {p.key: p for p, _ in meaning.papers}
    paper_briefs.update(store.papers_brief(keys=[k for k in word_papers if k not in paper_briefs]))
    papers = _fuse({"words": word_papers, "meaning": [p.key for p, _ in meaning.papers]}, limit)
    concept_briefs = {c.key: c for c, _ in meaning.concepts} | word_concepts
    concepts = _fuse(
        {"words": [c.key for c in by_papers], "meaning": [c.key for c, _ in meaning.concepts]},
        limit,
        first=exact if exact in concept_briefs else None,
    )
    return SearchResults(
        query,
        [PaperHit(paper_briefs[k], s, m) for k, s, m in papers if k in paper_briefs],
        [ConceptHit(concept_briefs[k], s, m) for k, s, m in concepts],
    )


def _fuse(
    rankings: dict[str, list[str]], limit: int, first: str | None = None
) -> list[tuple[str, float, tuple[str, ...]]]:
    scores: Counter[str] = Counter()
    matched: dict[str, list[str]] = {}
    for name, keys in rankings.items():
        for rank, key in enumerate(keys):
            scores[key] += 1.0 / (RRF_K + rank + 1)
            matched.setdefault(key, []).append(name)
    order = sorted(scores, key=lambda k: (k != first, -scores[k]))
    return [(k, scores[k], tuple(matched[k])) for k in order[:limit]]


# -- fields map --------------------------------------------------------------------------------
FIELD_MEMBER_SHARE = 0.2  # a concept belongs to a field holding at least this share of its papers
FIELD_MEMBER_MIN_PAPERS = 3


@dataclass(frozen=True)
class FieldNode:
    code: str
    name: str
    papers: int
    concepts: int


@dataclass(frozen=True)
class FieldsMap:
    fields: list[FieldNode]
    shared: list[tuple[str, str, int]]  # (field a, field b, concepts in both), most first


def _field_memberships() -> list[tuple[ConceptDetail, tuple[str, ...]]]:
    def compute() -> list[tuple[ConceptDetail, tuple[str, ...]]]:
        members = []
        for page in get_store().concept_profiles(min_papers=FIELD_MEMBER_MIN_PAPERS):
            for concept in page:
                codes = tuple(
                    code for code, n in concept.fields if n >= FIELD_MEMBER_SHARE * concept.papers
                )
                if codes:
                    members.append((concept, codes))
        return members

    return _cached("field_memberships", compute)


def fields_map(*, max_links: int = 150) -> FieldsMap:
    """Fields (primary arXiv categories) and how many concepts each pair shares: a concept counts
    for a field holding at least a fifth of its papers (concepts in 3+ papers)."""

    def compute() -> FieldsMap:
        store = get_store()
        names = field_names()
        papers = store.papers_per_field()
        per_field: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for _, codes in _field_memberships():
            per_field.update(codes)
            pairs.update(combinations(sorted(codes), 2))
        fields = [
            FieldNode(code, names.get(code, code), n, per_field[code])
            for code, n in sorted(papers.items(), key=lambda kv: -kv[1])
        ]
        shared = [(a, b, n) for (a, b), n in pairs.most_common(max_links)]
        return FieldsMap(fields, shared)

    return _cached(f"fields_map:{max_links}", compute)


@dataclass(frozen=True)
class Bridge:
    concept: ConceptDetail
    share_a: float
    share_b: float


def field_bridges(*, a: str, b: str, limit: int = 40) -> list[Bridge]:
    """Concepts used in both fields, the most balanced and most used first."""
    bridges = []
    for concept, codes in _field_memberships():
        if a in codes and b in codes:
            counts = dict(concept.fields)
            bridges.append(Bridge(concept, counts[a] / concept.papers, counts[b] / concept.papers))
    bridges.sort(key=lambda br: -min(br.share_a, br.share_b) * math.log1p(br.concept.papers))
    return bridges[:limit]


# -- dashboard ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Growth:
    concept: ConceptBrief
    recent: int  # papers in the latest three months
    before: int  # papers in the three months before

    @property
    def ratio(self) -> float:
        return (self.recent + 1) / (self.before + 1)


GROWTH_MIN_RECENT = 5


def concepts_most_connected(*, limit: int = 10) -> list[tuple[ConceptBrief, int]]:
    return _cached(
        f"most_connected:{limit}",
        lambda: get_store().concepts_most_connected(limit=limit, candidates=40, min_papers=3),
    )


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
        )[:limit]
        briefs = store.concepts_brief(keys=[k for k, _, _ in ranked])
        return [Growth(briefs[k], r, b) for k, r, b in ranked if k in briefs]

    return _cached(f"fastest_growing:{limit}", compute)


def _months_back(month: str, n: int) -> list[str]:
    """The n months ending with `month` (YYYY-MM), oldest first."""
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return out[::-1]
