"""A short path between two concepts over strong co-occurrence links."""

from __future__ import annotations

from browse.selectors.common import ConceptNotFound
from browse.selectors.explorer import (
    Neighbourhood,
    concept_is_hub,
    concept_neighbours,
    hub_min_papers,
)
from graph.cypher import TOP_NEIGHBOURS
from graph.factory import get_store
from graph.store import (
    Neighbour,
    NeighbourFilter,
)

PATH_FANOUT = TOP_NEIGHBOURS
PATH_FRONTIER_CAP = 300


def concept_path(
    *, source: str, target: str, min_weight: int = 1, max_hops: int = 4
) -> Neighbourhood | None:
    """A short path between two concepts over their strongest co-occurrence links (each step
    follows one of a concept's PATH_FANOUT strongest links), found by a breadth-first search from
    both ends; None when there is none within `max_hops`. Paths through specific concepts come
    first: a hub (see explorer.HUB_SHARE) is a step only when no path of up to `max_hops` - 1
    steps avoids every hub."""
    store = get_store()
    briefs = store.concepts_brief(keys=[source, target])
    for key in (source, target):
        if key not in briefs:
            raise ConceptNotFound(key)
    where = NeighbourFilter(min_weight=min_weight)
    threshold = hub_min_papers()
    # One hop fewer around the hubs: the last hop is the dearest, and a detour that long reads
    # worse than one step through a hub.
    view = _search(source, target, briefs, where, max(1, max_hops - 1),
                   lambda concept: concept_is_hub(concept, threshold))  # fmt: skip
    if view is None:
        view = _search(source, target, briefs, where, max_hops, lambda concept: False)
    return view


def _search(source, target, briefs, where, max_hops, avoid) -> Neighbourhood | None:
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
                if key in parents[side] or (key not in briefs and avoid(neighbour.concept)):
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
