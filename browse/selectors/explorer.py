"""The explorer: a concept's neighbourhood as nodes and links, with similar concepts and
bridging papers on request."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from browse.selectors.common import ConceptNotFound, cached
from graph.cypher import TOP_NEIGHBOURS
from graph.factory import get_store
from graph.store import (
    ConceptBrief,
    Neighbour,
    NeighbourFilter,
)
from index.selectors import key_vectors, nearest_keys
from index.vectorindex import CONCEPTS
from ingest.extraction import concept_term
from ingest.selectors import concept_keys_resolve
from ingest.termhood import phrase_is_generic

MAX_DEPTH = 3
MAX_NODES = 500
FRONTIER_CAP = 60  # nodes expanded per level beyond the first: bounds the cost of depth 2 and 3
LINKS_PER_NODE = 3  # beyond the expansion's own links, each node's strongest few are drawn
SIMILAR_EDGE_MIN = 0.7  # cosine at which two concepts on screen get a "similar" edge
SIMILAR_EXTRA_NODES = 10
# A concept in this share of all papers co-occurs with nearly everything: by default it is left
# out of views around other concepts (and out of the middle of paths), so that it cannot swallow
# them; so is a concept whose name is a generic phrase ("proposed method").
HUB_SHARE = 0.05
HUB_MIN_PAPERS = 30
HIDDEN_HUBS_LISTED = 10
HUB_THRESHOLD_TTL_S = 3600.0  # counting the graph takes seconds at 54k papers; it moves slowly
HUB_ALLOWANCE = 20  # extra partners asked for, so that leaving hubs out rarely leaves a view short


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
    hidden_hubs: dict[str, str] = field(default_factory=dict)  # key -> name, left out

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
            "hidden_hubs": [
                {"id": key, "label": name}
                for key, name in list(self.hidden_hubs.items())[:HIDDEN_HUBS_LISTED]
            ],
        }


def hub_min_papers() -> int:
    """Papers from which a concept counts as a hub: HUB_SHARE of the graph's papers."""
    return cached(
        "hub-min-papers",
        lambda: max(HUB_MIN_PAPERS, math.ceil(HUB_SHARE * get_store().counts().papers)),
        ttl=HUB_THRESHOLD_TTL_S,
    )


def concept_is_hub(concept: ConceptBrief, threshold: int) -> bool:
    return (concept.papers or 0) >= threshold or phrase_is_generic(
        concept_term(concept.key, concept.name).split(), strict=True
    )


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
    keys = concept_keys_resolve(text=text)
    found = get_store().concepts_brief(keys=keys)
    return next((key for key in keys if key in found), None)


def concept_neighbourhood(
    *,
    key: str,
    depth: int = 1,
    limit: int = 60,
    where: NeighbourFilter | None = None,
    similar: bool = False,
    papers: bool = False,
    hubs: bool = False,
) -> Neighbourhood:
    """The concepts around `key` by co-occurrence, breadth first to `depth`, at most `limit`
    nodes, sharing each level's room fairly among the nodes it expands (strongest links first).
    Hubs other than `key` (see HUB_SHARE) are left out and listed unless `hubs`."""
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
        found = _neighbours_for(view, frontier, per_key, where, hubs=hubs)
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


def _neighbours_for(
    view: Neighbourhood, frontier: list[str], per_key: int, where: NeighbourFilter, *, hubs: bool
) -> dict[str, list[Neighbour]]:
    """Each frontier node's `per_key` strongest partners (and a few more for ties), hubs left
    out unless `hubs`: asking again for more when the hubs left a node short, within the cached
    strongest-partner lists (a longer ask would read a hub's links live: seconds)."""
    ask = per_key + 10 + (0 if hubs else HUB_ALLOWANCE)
    while True:
        found = concept_neighbours(keys=frontier, per_key=ask, where=where)
        if hubs:
            return found
        kept = _without_hubs(view, found)
        short = any(
            len(kept.get(k, [])) < per_key and len(found.get(k, [])) >= ask for k in frontier
        )
        bigger = min(ask * 2, max(TOP_NEIGHBOURS, per_key + 10))
        if not short or bigger <= ask:
            return kept
        ask = bigger


def _without_hubs(
    view: Neighbourhood, found: dict[str, list[Neighbour]]
) -> dict[str, list[Neighbour]]:
    threshold = hub_min_papers()
    kept = {}
    for source, neighbours in found.items():
        kept[source] = []
        for neighbour in neighbours:
            concept = neighbour.concept
            if concept.key != view.center and concept_is_hub(concept, threshold):
                view.hidden_hubs.setdefault(concept.key, concept.name)
            else:
                kept[source].append(neighbour)
    return kept


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


def _add_similar(view: Neighbourhood, key: str) -> None:
    """Concepts near `key` in meaning that it never co-occurs with, and "similar" edges between
    unlinked concepts on screen whose embeddings are close."""
    for brief, score in concepts_related_unlinked(key=key, limit=SIMILAR_EXTRA_NODES):
        view.add_node(brief, 1)
        view.add_edge(key, brief.key, round(score, 3), "similar")
    vectors = key_vectors(index=CONCEPTS, keys=list(view.nodes))
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
    vector = key_vectors(index=CONCEPTS, keys=[key]).get(key)
    if vector is None:
        return []
    nearest = nearest_keys(index=CONCEPTS, vector=vector, limit=limit * 4 + 1)
    ranked = [(other, score) for other, score in nearest if other != key]
    store = get_store()
    linked = {
        link.target if link.source == key else link.source
        for link in store.links_between(pairs=[(key, other) for other, _ in ranked])
    }
    briefs = store.concepts_brief(keys=[k for k, _ in ranked if k not in linked])
    return [(briefs[k], s) for k, s in ranked if k in briefs][:limit]
