"""Ranking ideas: a weighted sum whose parts are kept, and near-duplicates merged."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DUPLICATE_COSINE = 0.8
# precedent: a paper uses the method on a problem like the target (the idea's stated reason);
# ideas without one are pairs close in meaning only.
DEFAULT_WEIGHTS = {
    "forecast": 0.3,
    "novelty": 0.3,
    "precedent": 0.15,
    "feasibility": 0.15,
    "field": 0.1,
}


# A candidate with no reason at all (no precedent, no use of the method on a problem like the
# target, no record against a failure like it) is chosen after every candidate with one: more
# than every mark and the forecast's spread together.
UNREASONED_PENALTY = 3


def candidate_order(
    *,
    percentile: np.ndarray,
    cross_field: np.ndarray,
    analogy: np.ndarray,
    routine: np.ndarray,
    used_near: np.ndarray,
    failure: np.ndarray,
) -> np.ndarray:
    """The order in which a batch chooses among its candidates, highest first. Analogies (a
    reason) before direct pairs, cross-field before same-field, specific methods before
    general-purpose (`routine`) ones; a method used on a problem like the target counts half as
    much as the forecast's whole spread (`percentile`). When it counted as much as the others,
    the forecast only broke ties among pairs with the same marks; on the hindsight graph (200
    ideas) the realised ideas went 9 -> 12, with as many analogies and more cross-field pairs.
    A failure's direct pair has its reason already: only methods with a record against a like
    failure are paired with one."""
    marks = cross_field.astype(float) + analogy - routine + 0.5 * used_near
    reasoned = has_reason(analogy=analogy, used_near=used_near, failure=failure)
    return percentile + marks - UNREASONED_PENALTY * ~reasoned


def has_reason(*, analogy: np.ndarray, used_near: np.ndarray, failure: np.ndarray) -> np.ndarray:
    """Whether each candidate has a reason beyond closeness in meaning: a precedent, a stated
    use of the method on a problem like the target, or (for a failure, whose direct pairs only
    methods with a record against a like failure reach) that record."""
    return analogy | used_near | failure


ROUTINE_PRECEDENT = 0.5
# A reason short of a precedent: a stated use of the method on a problem nearer the target than
# most (`candidates.used_near`), or its record against failures like the target.
LOOSE_REASON = 0.5


@dataclass(frozen=True)
class Signals:
    forecast: float  # in [0, 1]: the pair's forecast as a percentile among the batch's candidates
    novelty: float
    grounding_papers: int
    has_resource_neighbour: bool  # a dataset or metric is co-mentioned with both concepts
    both_active: bool  # both concepts had papers in the last months
    field_weight: float  # the user's weight for the pair's fields, in [0, 1]
    # A paper says the method is used on a problem like the target: 1 for a specific method,
    # ROUTINE_PRECEDENT for a general-purpose one (one more problem for LoRA is routine),
    # LOOSE_REASON for a looser reason, 0 for closeness in meaning alone.
    precedent: float = 0.0


def feasibility(signals: Signals) -> float:
    return round(
        0.5 * min(signals.grounding_papers / 4, 1.0)
        + 0.25 * signals.has_resource_neighbour
        + 0.25 * signals.both_active,
        4,
    )


def composite(signals: Signals, weights: dict[str, float] | None = None) -> tuple[float, dict]:
    """The score in [0, 1] and its breakdown: each part's value, weight and contribution."""
    weights = {**DEFAULT_WEIGHTS, **(weights or {})}
    values = {
        "forecast": signals.forecast,
        "novelty": signals.novelty,
        "precedent": float(signals.precedent),
        "feasibility": feasibility(signals),
        "field": signals.field_weight,
    }
    total_weight = sum(weights.values()) or 1.0
    breakdown = {
        name: {
            "value": round(float(values[name]), 4),
            "weight": round(weights[name] / total_weight, 4),
            "contribution": round(float(values[name]) * weights[name] / total_weight, 4),
        }
        for name in values
    }
    return round(sum(part["contribution"] for part in breakdown.values()), 4), breakdown


def display_order(
    *, scores: list[float], grounded: list[bool], tiered: bool, published: list[bool] | None = None
) -> list[int]:
    """Indexes of ideas in the order shown, best first: by score, or, when `tiered`, every
    grounded idea (a precedent paper, or a record against a like failure) before the others,
    each group by score. A seeded batch is tiered: asked about a method, it answers first with
    what papers show of it, not with a loose use that a popular target's forecast lifts ("Sparse
    autoencoders for zero-shot generalization" ranked first on the 54k graph, above their record
    against toxicity carried over to prompt injection). Unseeded batches keep the plain score:
    on the hindsight check, ideas resting on precedents were taken up no more often than others.
    Ideas the novelty check found `published` (a paper names both concepts) come last, whatever
    their score: a batch offers them only when nothing else is left."""
    done = published or [False] * len(scores)
    return sorted(
        range(len(scores)), key=lambda i: (done[i], tiered and not grounded[i], -scores[i])
    )


def duplicates_of(vectors: np.ndarray, order: list[int]) -> dict[int, int]:
    """For ideas in rank `order`, map each near-duplicate (cosine >= DUPLICATE_COSINE to a
    better-ranked kept idea) to the idea it repeats."""
    kept: list[int] = []
    merged: dict[int, int] = {}
    for i in order:
        if kept:
            similarity = vectors[kept] @ vectors[i]
            best = int(np.argmax(similarity))
            if similarity[best] >= DUPLICATE_COSINE:
                merged[i] = kept[best]
                continue
        kept.append(i)
    return merged
