import json
import re

import pytest
import torch

from runner.execute import PlanInvalid, experiment_execute
from runner.registry import MAX_RUNS, Plan, plan_validate, template_get
from runner.sae import dead_fraction, mean_l0, normalised_mse
from runner.templates.sae_superposition import ToyData, feature_max_cosines, run_one

TINY = {
    "input_dim": 8,
    "n_features": 16,
    "feature_probability": 0.1,
    "dict_size": 32,
    "topk_k": 2,
    "steps": 400,
    "batch_size": 256,
    "eval_samples": 2000,
}


def full(**overrides):
    return {**template_get("sae_superposition").defaults, **TINY, **overrides}


def test_metrics_on_hand_made_cases():
    directions = torch.eye(4)
    assert feature_max_cosines(directions, torch.eye(4) * 3).mean() == pytest.approx(1.0)
    rotated = torch.tensor([[1.0, 1, 0, 0], [0, 0, 1, 1]])  # each true axis at 45 degrees
    assert feature_max_cosines(directions, rotated).tolist() == pytest.approx([2**-0.5] * 4)
    z = torch.tensor([[1.0, 0, 0], [2.0, 3.0, 0]])
    assert mean_l0(z) == pytest.approx(1.5)
    assert dead_fraction(z) == pytest.approx(1 / 3)
    x = torch.randn(100, 5)
    assert normalised_mse(x, x) == pytest.approx(0.0)
    assert normalised_mse(x, x.mean(0).expand_as(x)) == pytest.approx(1.0)


def test_toy_data_is_sparse_combinations_of_unit_directions():
    data = ToyData(input_dim=8, n_features=16, probability=0.1, seed=3, device="cpu")
    assert torch.allclose(data.directions.norm(dim=1), torch.ones(16))
    x = data.sample(5000)
    assert x.shape == (5000, 8)
    # Mean norm^2 = p * E[m^2] * F + cross terms; at least the samples are not all zero.
    assert 0.2 < (x.norm(dim=1) > 0).float().mean() < 1.0  # some samples have no feature on


def test_training_recovers_the_features_and_an_untrained_sae_does_not():
    trained = run_one(params=full(), seed=0, device="cpu", log=lambda line: None)["metrics"]
    untrained = run_one(params=full(steps=1), seed=0, device="cpu", log=lambda line: None)[
        "metrics"
    ]
    assert trained["mmcs"] >= 0.85
    assert untrained["mmcs"] < trained["mmcs"] - 0.2
    assert trained["nmse"] < untrained["nmse"]
    assert trained["mean_l0"] == pytest.approx(2.0, abs=0.01)  # TopK keeps k latents (ReLU > 0)
    assert 0 <= trained["dead_fraction"] < 1


def test_same_seed_same_metrics_and_another_seed_differs():
    quick = full(steps=50)
    first = run_one(params=quick, seed=1, device="cpu", log=print)["metrics"]
    again = run_one(params=quick, seed=1, device="cpu", log=print)["metrics"]
    other = run_one(params=quick, seed=2, device="cpu", log=print)["metrics"]
    assert first == again
    assert first != other


def test_executor_writes_metrics_and_plots(tmp_path):
    plan = Plan(
        "sae_superposition",
        params={**TINY, "steps": 30},
        grid={"sparsity_method": ["l1", "topk"]},
        seeds=[0, 1],
    )
    report = experiment_execute(plan=plan, out_dir=tmp_path, log=lambda line: None)
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["complete"] and saved == report
    assert [(r["condition"]["sparsity_method"], r["seed"]) for r in saved["runs"]] == [
        ("l1", 0), ("l1", 1), ("topk", 0), ("topk", 1),
    ]  # fmt: skip
    assert set(saved["runs"][0]["metrics"]) == {"nmse", "mean_l0", "dead_fraction", "mmcs"}
    assert saved["device"].startswith(("cpu", "cuda"))
    assert len(saved["plots"]) == 3
    for plot in saved["plots"]:
        assert (tmp_path / plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (Plan("no_such_template", {}, {}, [0]), "template: unknown template 'no_such_template'"),
        (Plan("sae_superposition", {"steps": 0}, {}, [0]), "steps: 0 is less than the minimum"),
        (Plan("sae_superposition", {"bogus": 1}, {}, [0]), "bogus: not a parameter"),
        (
            Plan("sae_superposition", {}, {"activation": ["relu", "tanh"]}, [0]),
            "activation: 'tanh'",
        ),
        (Plan("sae_superposition", {"dict_size": 4, "topk_k": 8}, {}, [0]), "topk_k: 8 is more"),
        (Plan("sae_superposition", {}, {"steps": []}, [0]), "steps: needs at least one value"),
        (Plan("sae_superposition", {}, {}, []), "seeds: needs at least one seed"),
        (
            Plan("sae_superposition", {}, {"data_seed": list(range(MAX_RUNS + 1))}, [0]),
            f"at most {MAX_RUNS}",
        ),
    ],
)
def test_invalid_plans_are_refused_with_the_reason(plan, expected, tmp_path):
    errors = [str(e) for e in plan_validate(plan)]
    assert any(expected in e for e in errors), errors
    with pytest.raises(PlanInvalid):
        experiment_execute(plan=plan, out_dir=tmp_path)
    assert not (tmp_path / "metrics.json").exists()


def test_run_experiment_command_runs_in_process_and_refuses_bad_input(tmp_path, capsys):
    from django.core.management import CommandError, call_command

    params = json.dumps({**TINY, "steps": 20})
    call_command(
        "run_experiment", "--template", "sae_superposition", "--params", params,
        "--grid", '{"activation": ["relu", "softplus"]}', "--seeds", "3", "--sync",
        "--out", str(tmp_path),
    )  # fmt: skip
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["complete"] and [r["seed"] for r in saved["runs"]] == [3, 3]
    assert f"results: {tmp_path}" in capsys.readouterr().out
    for args, expected in [
        (["--params", '{"steps": -1}', "--sync"], "steps: -1 is less than the minimum of 1"),
        (["--params", "{not json", "--sync"], "--params: not valid JSON"),
        (["--grid", '{"steps": 5}', "--sync"], "--grid: each parameter needs a list"),
        (["--seeds", "a,b", "--sync"], "--seeds: integers separated by commas"),
        ([], "needs --sync"),
    ]:
        with pytest.raises(CommandError, match=re.escape(expected)):
            call_command("run_experiment", "--template", "sae_superposition", *args,
                         "--out", str(tmp_path / "bad"))  # fmt: skip
    assert not (tmp_path / "bad").exists()
