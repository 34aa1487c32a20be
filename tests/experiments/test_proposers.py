"""Campaign proposers on hand-made objectives (no services)."""

import pytest

from experiments.proposers import (
    Objective,
    Trial,
    best_trial,
    optuna_propose,
    pareto_front,
    space_from_variables,
)


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
