"""The data, metric and comparison an idea names come from the paper whose setup it reproduces."""

import pytest

from ideation.services import _setup_company
from tests.ideation.factories import history_from

pytestmark = pytest.mark.fast

KINDS = {
    "catastrophic_forgetting": "phenomenon",
    "MineRL": "dataset",
    "GSM8K": "dataset",
    "experience_replay": "method",
    "model_editing": "method",
    "frontier_models": "method",
    "BLEU": "metric",
}


def history():
    setup = ("2025-01-10", "cs.LG", ["catastrophic_forgetting", "MineRL", "frontier_models",
                                     "experience_replay"])  # fmt: skip
    bare = ("2025-01-11", "cs.LG", ["catastrophic_forgetting", "MineRL"])
    elsewhere = [("2025-02-10", "cs.CL", ["catastrophic_forgetting", "GSM8K", "model_editing",
                                          "BLEU"])] * 5  # fmt: skip
    return history_from([setup, bare, *elsewhere], kinds=KINDS)


def test_the_setup_paper_supplies_data_and_comparison_not_the_targets_strongest_partners():
    h = history()
    target = h.concept_index["catastrophic_forgetting"]
    company = _setup_company(h, h.snapshot(), target, 0, exclude={target})
    assert company["dataset"] == ("MineRL",)  # not GSM8K, the target's strongest partner
    assert company["method"] == ("experience replay",)  # a model family is no comparison
    assert "metric" not in company  # the setup names none; BLEU belongs to other papers


def test_a_comparison_the_setup_lacks_comes_from_the_targets_company():
    h = history()
    target = h.concept_index["catastrophic_forgetting"]
    company = _setup_company(h, h.snapshot(), target, 1, exclude={target})
    assert company["dataset"] == ("MineRL",)
    assert company["method"] == ("model editing", "experience replay")
