"""Analogical candidates on histories the test controls."""

import numpy as np

from ideation.candidates import CandidateQuery, analogies, direct_pairs, share_a_word
from tests.ideation.factories import history_from

# Two problems whose papers read alike (jailbreak detection in cs.CR, reward hacking in cs.LG),
# a method used on the first only, and concepts that must never be offered.
VECTORS = {
    "activation_probing": [1, 0, 0, 0.2],
    "jailbreak_detection": [0, 1, 0, 0],
    "reward_hacking": [0, 0.8, 0.6, 0],
    "protein_folding": [0, 0, 1, 0],
    "reward_model": [0.2, 0.9, 0.1, 0],
    "accurate_model": [0.5, 0.5, 0.5, 0.5],
}
KINDS = {
    "activation_probing": "method",
    "jailbreak_detection": "task",
    "reward_hacking": "phenomenon",
    "protein_folding": "task",
    "reward_model": "method",
    "accurate_model": "method",
}


def history():
    papers = []
    for i in range(6):
        day = f"2025-0{1 + i % 6}-10"
        papers.append((day, "cs.CR", ["activation_probing", "jailbreak_detection"]))
        papers.append((day, "cs.LG", ["reward_hacking", "reward_model"]))
        papers.append((day, "cs.CR", ["jailbreak_detection"]))
        papers.append((day, "cs.LG", ["reward_hacking"]))
        papers.append((day, "q-bio", ["protein_folding"]))
        papers.append((day, "cs.LG", ["accurate_model", "reward_hacking"]))
    return history_from(papers, vectors=VECTORS, kinds=KINDS)


def triples(found, history):
    names = history.concept_keys
    return {
        (names[a], names[b], names[v] if v >= 0 else None)
        for a, b, v in zip(found.a, found.b, found.via, strict=True)
    }


def test_a_method_reaches_a_problem_like_the_one_it_is_used_on():
    h = history()
    found = analogies(h.snapshot(), CandidateQuery(), limit=10)
    got = triples(found, h)
    assert ("activation_probing", "reward_hacking", "jailbreak_detection") in got
    # never a pair already mentioned together, never a target unlike the precedent
    assert not any(t == "protein_folding" for _, t, _ in got)
    assert not any((m, t) == ("reward_model", "reward_hacking") for m, t, _ in got)
    pick = [i for i, t in enumerate(triples_list(found, h)) if t[1] == "reward_hacking"][0]
    assert found.cross_field[pick]  # cs.CR method, cs.LG target
    assert found.support[pick] == 6  # papers using the method on the precedent


def triples_list(found, history):
    names = history.concept_keys
    return [(names[a], names[b]) for a, b in zip(found.a, found.b, strict=True)]


def test_generic_concepts_and_model_families_never_take_part():
    h = history()
    got = triples(analogies(h.snapshot(), CandidateQuery(), limit=10), h)
    got |= triples(direct_pairs(h.snapshot(), CandidateQuery(), limit=10), h)
    assert not any("accurate_model" in (m, t) for m, t, _ in got)
    assert not any(m == "reward_model" for m, _, _ in got)  # "...model": a family, not a method


def test_seeded_from_the_target_side():
    h = history()
    found = analogies(h.snapshot(), CandidateQuery(seeds=("reward_hacking",)), limit=5)
    assert ("activation_probing", "reward_hacking", "jailbreak_detection") in triples(found, h)


def test_direct_pairs_carry_no_precedent():
    h = history()
    found = direct_pairs(h.snapshot(), CandidateQuery(), limit=5)
    assert len(found.a) and np.all(found.via == -1)


def test_names_sharing_a_content_word_are_one_thing_twice():
    assert share_a_word("video LLM", "open-source LLM")
    assert share_a_word("explicit reasoning", "visual reasoning")
    assert not share_a_word("sparse autoencoders", "reward hacking")
    assert not share_a_word("model of the world", "a theory of mind")  # function words only
