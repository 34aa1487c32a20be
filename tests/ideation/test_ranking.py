"""The composite score: its parts, their weights, and what moves an idea down."""

from dataclasses import replace

import numpy as np

from ideation.ranking import (
    LOOSE_REASON,
    ROUTINE_PRECEDENT,
    Signals,
    candidate_order,
    composite,
    display_order,
    duplicates_of,
)
from ideation.services import _is_grounded, _Pick, _reason_strength, published_notes
from tests.ideation.factories import history_from
from tests.ideation.test_writers import context


def signals(**changes) -> Signals:
    base = dict(
        forecast=0.8,
        novelty=0.7,
        grounding_papers=4,
        has_resource_neighbour=True,
        both_active=True,
        field_weight=1.0,
        precedent=True,
    )
    return Signals(**(base | changes))


def test_the_breakdown_adds_up_to_the_score():
    score, breakdown = composite(signals())
    assert abs(score - sum(part["contribution"] for part in breakdown.values())) < 1e-3
    assert abs(sum(part["weight"] for part in breakdown.values()) - 1) < 1e-3


def test_a_missing_precedent_ranks_lower():
    best, _ = composite(signals())
    without, parts = composite(signals(precedent=False))
    assert without < best and parts["precedent"]["value"] == 0


def test_near_duplicates_merge_into_the_better_ranked_idea():
    vectors = np.array([[1, 0], [0.99, 0.14], [0, 1]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    assert duplicates_of(vectors, [0, 1, 2]) == {1: 0}


def test_a_candidate_with_no_reason_is_chosen_after_every_candidate_with_one():
    """Columns: a same-field routine analogy at the lowest forecast; a direct pair whose method
    is used on a problem like the target; a direct pair on a failure; a cross-field direct pair
    with no reason at the highest forecast."""
    order = candidate_order(
        percentile=np.array([0.1, 0.2, 0.3, 1.0]),
        cross_field=np.array([False, False, False, True]),
        analogy=np.array([True, False, False, False]),
        routine=np.array([True, False, False, False]),
        used_near=np.array([False, True, False, False]),
        failure=np.array([False, False, True, False]),
    )
    assert order[3] < order[:3].min()
    assert order[1] > order[2]  # a use on a like problem counts; the forecast breaks the rest


def test_a_general_purpose_methods_precedent_counts_half():
    specific, _ = composite(signals(precedent=1.0))
    routine, parts = composite(signals(precedent=ROUTINE_PRECEDENT))
    none, _ = composite(signals(precedent=0.0))
    assert specific > routine > none and parts["precedent"]["value"] == ROUTINE_PRECEDENT


def test_the_shown_reason_part_says_how_much_the_reason_says():
    analogy = _Pick(a=0, b=1, via=2, analogy=0.7, forecast=0.1, forecast_rank=0.5, precedent="p1")
    direct = replace(analogy, via=-1, precedent="")
    bare = context(via=False)
    assert _reason_strength(analogy, context()) == 1.0
    assert _reason_strength(replace(analogy, routine=True), context()) == ROUTINE_PRECEDENT
    assert _reason_strength(direct, replace(bare, loose_use=("jailbreak", 0.3))) == LOOSE_REASON
    assert _reason_strength(direct, replace(bare, alike_fought=(("toxicity", 4),))) == LOOSE_REASON
    assert _reason_strength(direct, bare) == 0.0
    # Grounded: what papers show (a precedent, a record against a like failure), not a nearby use.
    assert _is_grounded(analogy, context())
    assert _is_grounded(direct, replace(bare, alike_fought=(("toxicity", 4),)))
    assert not _is_grounded(direct, replace(bare, loose_use=("jailbreak", 0.3)))
    assert not _is_grounded(direct, bare)


def test_a_seeded_batch_shows_its_grounded_ideas_first():
    scores = [0.76, 0.74, 0.73, 0.61]  # a loose use, a record, a loose use, a precedent
    grounded = [False, True, False, True]
    assert display_order(scores=scores, grounded=grounded, tiered=False) == [0, 1, 2, 3]
    assert display_order(scores=scores, grounded=grounded, tiered=True) == [1, 3, 0, 2]
    published = [True, False, False, False]  # a paper already names both concepts of idea 0
    assert display_order(scores=scores, grounded=grounded, tiered=False, published=published) == [
        1,
        2,
        3,
        0,
    ]


def test_a_batch_says_what_became_of_ideas_found_published():
    published = [False, True, False, True, True]
    left_out, listed_last = published_notes(published=published, kept=[0, 2, 1], merged={4})
    assert left_out.startswith("1 chosen idea was left out: papers in the graph already name both")
    assert listed_last.startswith("1 of the ideas is listed last")
    notes = published_notes(published=published, kept=[0, 2, 1, 3], merged={4})
    assert notes == [
        "2 of the ideas are listed last, though papers in the graph already name both concepts "
        "(novelty check: not novel): nothing else was left to take their place"
    ]
    assert published_notes(published=[False, False], kept=[0, 1], merged=set()) == []


def test_the_setup_paper_on_the_target_reads_like_the_precedents_paper():
    from ideation.services import _grounding, _setup_direction

    axes = {
        "sae": [1, 0, 0, 0],
        "cifar": [0, 1, 0, 0],
        "retrieval": [0, 0, 1, 0],
        "nas": [0, 0, 0, 1],
    }
    history = history_from(
        [
            ("2025-01-10", "cs.CV", ["sae", "imagenet", "retrieval"]),  # the precedent
            ("2025-02-10", "cs.CV", ["cifar", "retrieval"]),
            ("2025-03-10", "cs.CV", ["cifar", "nas"]),
        ],
        vectors={**axes, "imagenet": [0.5, 0.5, 0.5, 0.5]},
    )
    index = history.concept_index
    sae, cifar = index["sae"], index["cifar"]
    # by the names alone the two CIFAR papers are alike, and the later one comes first
    assert _grounding(history, cifar, _setup_direction(history, sae, cifar, None))[0] == "p2"
    # like the precedent, the one on retrieval
    assert _grounding(history, cifar, _setup_direction(history, sae, cifar, "p0"))[0] == "p1"
