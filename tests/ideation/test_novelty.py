"""The novelty check's rules on hand-made histories (no server)."""

from ideation import novelty
from tests.ideation.factories import history_from


def test_concept_names_are_found_in_free_text_longest_first():
    history = history_from(
        [("2025-03-01", "cs.LG", ["sparseautoencoder", "sparse", "rewardhacking", "dpo"])]
    )
    text = "Use Sparse Autoencoders against reward-hacking, with DPO. Sparse is not enough."
    assert novelty.concepts_named_in(history, text) == [
        "sparseautoencoder",
        "rewardhacking",
        "dpo",
        "sparse",
    ]


def test_a_paper_joining_every_concept_caps_the_score_and_closeness_lowers_it():
    open_far = novelty.score_from(0.2, 0.5, 2, None)
    covered_far = novelty.score_from(0.2, 1.0, 2, 0.3)
    covered_close = novelty.score_from(0.9, 1.0, 2, 0.9)
    assert covered_close < covered_far <= novelty.COVERED_CEILING < open_far
    assert novelty.verdict_from(open_far, None) == "novel"
    assert novelty.verdict_from(covered_far, None) == "uncertain"  # never "novel" when covered
    assert novelty.verdict_from(0.99, "2501.00001") == "not_novel"


def test_text_close_to_a_paper_lowers_an_uncovered_score():
    assert novelty.score_from(0.8, 0.0, 2, None) < novelty.score_from(0.4, 0.0, 2, None)
