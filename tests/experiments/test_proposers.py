"""Campaign proposers on hand-made objectives, and the LLM proposer against a loopback
OpenAI-compatible server (valid, invalid, down); no other services."""

import json

import pytest

from experiments.proposers import (
    Objective,
    Trial,
    best_trial,
    llm_propose,
    optuna_propose,
    pareto_front,
    proposal_errors,
    space_from_variables,
)
from tests.processes import free_port

SPACE = {
    "sparsity_method": {"kind": "categorical", "choices": ["l1", "topk"]},
    "topk_k": {"kind": "int", "low": 2, "high": 16, "log": False},
    "l1_coefficient": {"kind": "float", "low": 0.01, "high": 1.0, "log": True},
}
FVE = [Objective.parse("fve:max")]
HISTORY = [Trial({"sparsity_method": "l1", "topk_k": 4, "l1_coefficient": 0.1}, (0.91,))]


def test_a_space_comes_from_a_specs_variables():
    space = space_from_variables([
        {"name": "sparsity_method", "values": ["l1", "topk", "jumprelu"]},
        {"name": "dict_multiplier", "values": [4, 8]},
        {"name": "l1_coefficient", "values": [0.001, 0.1]},
    ])  # fmt: skip
    assert space["sparsity_method"] == {"kind": "categorical",
                                        "choices": ["l1", "topk", "jumprelu"]}  # fmt: skip
    assert space["dict_multiplier"] == {"kind": "int", "low": 4, "high": 8, "log": False}
    assert space["l1_coefficient"]["log"] is True


def test_objectives_parse_or_say_how_to_write_them():
    assert Objective.parse("fve:max") == Objective("fve", "maximize")
    with pytest.raises(ValueError, match="METRIC:max"):
        Objective.parse("fve:up")


def test_tpe_closes_in_on_the_optimum_of_a_known_function():
    space = {"x": {"kind": "float", "low": -10.0, "high": 10.0}}
    objective = [Objective("f", "maximize")]
    trials = []
    for _ in range(30):
        params = optuna_propose(space=space, objectives=objective, trials=trials, seed=0)
        assert -10 <= params["x"] <= 10
        trials.append(Trial(params, (-((params["x"] - 3) ** 2),)))
    best = trials[best_trial(trials, objective)].params["x"]
    assert abs(best - 3) < 0.5
    later = [abs(t.params["x"] - 3) for t in trials[20:]]
    early = [abs(t.params["x"] - 3) for t in trials[:5]]
    assert sum(later) / len(later) < sum(early) / len(early)


def test_the_same_history_gives_the_same_proposal_and_failures_are_kept():
    space = {"k": {"kind": "int", "low": 1, "high": 32}, "m": {"kind": "categorical",
             "choices": ["l1", "topk"]}}  # fmt: skip
    objective = [Objective("f", "minimize")]
    history = [Trial({"k": 4, "m": "l1"}, (0.5,)), Trial({"k": 9, "m": "topk"}, None)]
    first = optuna_propose(space=space, objectives=objective, trials=history, seed=3)
    assert first == optuna_propose(space=space, objectives=objective, trials=history, seed=3)


def test_the_pareto_front_holds_the_trials_nothing_beats_everywhere():
    objectives = [Objective("fve", "maximize"), Objective("l0", "minimize")]
    trials = [
        Trial({}, (0.9, 10.0)),  # front
        Trial({}, (0.8, 12.0)),  # beaten by the first on both
        Trial({}, (0.7, 4.0)),  # front: sparsest
        Trial({}, None),  # failed
        Trial({}, (0.95, 30.0)),  # front: best reconstruction
    ]
    assert pareto_front(trials, objectives) == [0, 2, 4]
    assert best_trial(trials, objectives) == 4
    nsga = optuna_propose(
        space={"x": {"kind": "float", "low": 0.0, "high": 1.0}},
        objectives=objectives,
        trials=[Trial({"x": 0.5}, (0.9, 10.0))],
        seed=0,
    )
    assert 0 <= nsga["x"] <= 1


def test_proposals_outside_the_space_are_named():
    good = {"sparsity_method": "topk", "topk_k": 8, "l1_coefficient": 0.05}
    assert proposal_errors(good, SPACE) == []
    errors = proposal_errors(
        {"sparsity_method": "gated", "topk_k": 8.5, "l1_coefficient": 3, "lr": 1}, SPACE
    )
    assert any(e.startswith("lr: not a parameter") for e in errors)
    assert any(e.startswith("sparsity_method: 'gated' is not one of") for e in errors)
    assert any(e.startswith("topk_k: 8.5 is not an integer") for e in errors)
    assert any(e.startswith("l1_coefficient: 3 is outside") for e in errors)
    assert proposal_errors({"sparsity_method": "l1", "topk_k": 8}, SPACE) == [
        "l1_coefficient: missing"
    ]
    assert proposal_errors({**good, "topk_k": True}, SPACE) == ["topk_k: True is not a number"]
    assert proposal_errors("topk", SPACE) == ["params must be a JSON object"]
    # then the template's own check
    assert proposal_errors(good, SPACE, lambda p: ["topk_k: too many"]) == ["topk_k: too many"]


def _client(url: str):
    from openai import OpenAI

    return OpenAI(base_url=url, api_key="x", max_retries=0, timeout=5)


def _propose(url: str):
    return llm_propose(
        client=_client(url),
        model="m",
        template={"name": "sae_activations"},
        space=SPACE,
        objectives=FVE,
        trials=HISTORY,
    )


def test_the_llm_proposer_sees_the_history_and_returns_parameters_with_its_reason(chat):
    reply = {"params": {"sparsity_method": "topk", "topk_k": 8, "l1_coefficient": 0.05},
             "reason": "TopK has not been tried;  k=8 is mid-range."}  # fmt: skip
    server = chat([json.dumps(reply)])
    params, reason = _propose(server.url)
    assert params == reply["params"]
    assert reason == "TopK has not been tried; k=8 is mid-range."
    request = json.loads(server.requests[0]["messages"][1]["content"])
    assert request["trials"] == [{"params": HISTORY[0].params, "results": {"fve": 0.91}}]
    assert request["search_space"] == SPACE


def test_an_invalid_llm_proposal_is_sent_back_with_its_errors_then_given_up(chat):
    bad = json.dumps({"params": {"sparsity_method": "gated", "topk_k": 8, "l1_coefficient": 0.1}})
    good = json.dumps({"params": {"sparsity_method": "l1", "topk_k": 3, "l1_coefficient": 0.2}})
    server = chat([bad, good])
    params, _ = _propose(server.url)
    assert params == {"sparsity_method": "l1", "topk_k": 3, "l1_coefficient": 0.2}
    second = json.loads(server.requests[1]["messages"][1]["content"])
    assert any("gated" in error for error in second["previous_reply_errors"])

    server = chat(["not json", bad])
    params, reason = _propose(server.url)
    assert params is None and reason.startswith("LLM proposals invalid: sparsity_method")


def test_an_llm_endpoint_that_is_down_or_failing_gives_no_proposal(chat):
    params, reason = _propose(f"http://127.0.0.1:{free_port()}/v1")
    assert params is None and "unreachable" in reason
    params, reason = _propose(chat([None]).url)
    assert params is None and reason == "LLM endpoint answered HTTP 500"


def test_trials_in_flight_steer_parallel_proposals_elsewhere():
    space = {"x": {"kind": "float", "low": 0.0, "high": 1.0, "log": False}}
    history = [Trial({"x": 0.1 * i}, (-((0.1 * i - 0.7) ** 2),)) for i in range(8)]
    alone = optuna_propose(space=space, objectives=FVE, trials=history, seed=0)
    running = optuna_propose(space=space, objectives=FVE, trials=history, seed=0, running=[alone])
    assert running != alone
