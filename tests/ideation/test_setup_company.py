"""The data and metric an idea names come from the paper whose setup it reproduces; the method
it is compared with is one used where the idea's own method is used."""

import pytest

from ideation.services import _rivals, _setup_company
from tests.ideation.factories import history_from

pytestmark = pytest.mark.fast

KINDS = {
    "catastrophic_forgetting": "phenomenon",
    "MineRL": "dataset",
    "GSM8K": "dataset",
    "atari": "dataset",
    "experience_replay": "method",
    "elastic_weight_consolidation": "method",
    "actor_critic": "method",
    "model_editing": "method",
    "frontier_models": "method",
    "BLEU": "metric",
}
# Where each concept is used: continual learning, reinforcement learning, language models.
VECTORS = {
    "catastrophic_forgetting": [1, 0.3, 0, 0],
    "continual_learning": [1, 0, 0, 0],
    "experience_replay": [1, 0, 0.1, 0],
    "elastic_weight_consolidation": [1, 0, 0, 0.1],
    "MineRL": [0.3, 0, 1, 0],
    "actor_critic": [0, 0, 1, 0],
    "atari": [0, 0, 1, 0.2],
    "frontier_models": [0, 1, 0, 0.3],
    "model_editing": [0, 1, 0, 0],
    "GSM8K": [0, 1, 0.2, 0],
    "BLEU": [0, 1, 0, 0.2],
}


def history():
    setup = ("2025-01-10", "cs.LG", ["catastrophic_forgetting", "MineRL", "frontier_models",
                                     "actor_critic", "experience_replay"])  # fmt: skip
    bare = ("2025-01-11", "cs.LG", ["catastrophic_forgetting", "MineRL"])
    continual = [
        ("2025-01-12", "cs.LG", ["elastic_weight_consolidation", "continual_learning"]),
        ("2025-01-13", "cs.LG", ["experience_replay", "continual_learning"]),
    ] * 3
    rl = [("2025-01-14", "cs.LG", ["actor_critic", "atari"])] * 3
    elsewhere = [("2025-02-10", "cs.CL", ["catastrophic_forgetting", "GSM8K", "model_editing",
                                          "BLEU"])] * 5  # fmt: skip
    return history_from([setup, bare, *continual, *rl, *elsewhere], kinds=KINDS, vectors=VECTORS)


def test_the_setup_paper_supplies_the_data_not_the_targets_strongest_partners():
    h = history()
    target = h.concept_index["catastrophic_forgetting"]
    company = _setup_company(h, h.snapshot(), target, 0, exclude={target})
    assert company == {"dataset": ("MineRL",)}  # not GSM8K, the target's strongest partner;
    # no metric: the setup names none, BLEU belongs to other papers


def test_the_comparison_is_a_method_used_where_the_ideas_method_is():
    h = history()
    target = h.concept_index["catastrophic_forgetting"]
    ewc = h.concept_index["elastic_weight_consolidation"]
    rivals = _rivals(h, h.snapshot(), ewc, target, 0, exclude={target, ewc})
    # Not the actor-critic method beside it in the setup paper (used in RL), nor model editing
    # from the target's other papers, nor a family of models.
    assert rivals == ("experience replay",)


def test_with_no_method_used_alike_no_comparison_is_named():
    h = history()
    target = h.concept_index["catastrophic_forgetting"]
    editing = h.concept_index["model_editing"]
    assert _rivals(h, h.snapshot(), editing, target, 1, exclude={target, editing}) == ()
