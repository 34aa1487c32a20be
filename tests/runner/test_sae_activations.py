"""sae_activations: its measures on hand-made cases, and tiny runs on the digits network and on
MiniLM where an untrained SAE fails what a trained one passes."""

import json

import pytest
import torch

from runner.execute import experiment_execute
from runner.registry import Plan, params_validate, template_get
from runner.sae import SparseAutoencoder, label_purity
from runner.templates.sae_activations import run_one, sparse_probe_accuracy

TEMPLATE = template_get("sae_activations")
TINY = {"steps": 600, "batch_size": 128}


def full(**overrides):
    params = {**TEMPLATE.defaults, **TINY, **overrides}
    assert params_validate(TEMPLATE, params) == []
    return params


def test_label_purity_on_hand_made_latents():
    labels = torch.tensor([0, 0, 1, 1])
    one_label_each = torch.tensor([[1.0, 0], [2.0, 0], [0, 1.0], [0, 3.0]])
    assert label_purity(one_label_each, labels, 2) == pytest.approx(1.0)
    indifferent = torch.ones(4, 2)
    assert label_purity(indifferent, labels, 2) == pytest.approx(0.5)
    assert label_purity(torch.zeros(4, 2), labels, 2) == 0.0


def test_sparse_probing_finds_the_one_informative_latent():
    generator = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 2, (400,), generator=generator)
    latents = torch.rand(400, 20, generator=generator)
    latents[:, 7] += 3 * labels  # only latent 7 knows the label
    train, test = slice(0, 300), slice(300, 400)
    informed = sparse_probe_accuracy(latents[train], labels[train], latents[test], labels[test], 1)
    latents[:, 7] = torch.rand(400, generator=generator)
    blind = sparse_probe_accuracy(latents[train], labels[train], latents[test], labels[test], 1)
    assert informed > 0.95 and blind < 0.7


def test_jumprelu_zeroes_latents_below_their_threshold_and_learns_thresholds():
    params = {"sparsity_method": "jumprelu", "activation": "relu", "topk_k": 1,
              "l1_coefficient": 0.1, "jumprelu_threshold": 0.5}  # fmt: skip
    sae = SparseAutoencoder(input_dim=4, dict_size=8, params=params, device="cpu")
    x = torch.randn(64, 4)
    z = sae.encode(x)
    assert ((z == 0) | (z > 0.5)).all()
    loss, _ = sae.loss(x)
    loss.backward()
    assert sae.log_theta.grad is not None


@pytest.mark.slow  # trains networks
def test_a_trained_sae_on_the_digits_network_beats_an_untrained_one():
    trained = run_one(params=full(), seed=0, device="cpu", log=lambda line: None)["metrics"]
    untrained = run_one(params=full(steps=0), seed=0, device="cpu", log=lambda line: None)
    untrained = untrained["metrics"]
    assert trained["fve"] > 0.85 and untrained["fve"] < 0.5
    assert trained["downstream"] > 0.9 and trained["downstream_drop"] < 0.05
    assert untrained["downstream_drop"] > trained["downstream_drop"] + 0.05
    assert trained["mean_l0"] == pytest.approx(TEMPLATE.defaults["topk_k"])
    assert 0 <= trained["dead_fraction"] < 1 and 0.1 < trained["label_purity"] <= 1


@pytest.mark.slow  # trains networks
def test_a_stronger_jumprelu_penalty_gives_sparser_codes():
    def l0(coefficient: float) -> float:
        params = full(sparsity_method="jumprelu", l1_coefficient=coefficient)
        return run_one(params=params, seed=0, device="cpu", log=lambda line: None)["metrics"][
            "mean_l0"
        ]

    assert l0(0.1) < l0(0.001)


@pytest.mark.slow
def test_minilm_runs_through_the_executor_with_its_artefacts(tmp_path):
    params = {"model": "minilm", "layer": 2, "n_texts": 30, "steps": 150}
    report = experiment_execute(
        plan=Plan("sae_activations", params, {}, [0]), out_dir=tmp_path, log=lambda line: None
    )
    (run,) = report["runs"]
    metrics = run["metrics"]
    assert 0 < metrics["fve"] <= 1 and -1 <= metrics["downstream"] <= 1
    assert metrics["mean_l0"] == pytest.approx(TEMPLATE.defaults["topk_k"])
    examples = json.loads((tmp_path / "top_examples.json").read_text())
    first = examples["runs"][0]["latents"][0]
    assert all("[" in text and "]" in text for text in first["examples"])  # token in context
    assert (tmp_path / "plots" / "fve_l0.png").exists()


@pytest.mark.slow  # trains networks
def test_digits_runs_draw_their_top_activating_examples(tmp_path):
    report = experiment_execute(
        plan=Plan("sae_activations", {"steps": 100}, {}, [0]), out_dir=tmp_path, log=print
    )
    assert "plots/top_examples_0.png" in report["plots"]
    latents = json.loads((tmp_path / "top_examples.json").read_text())["runs"][0]["latents"]
    assert latents and len(latents[0]["examples"][0]) == 8  # an 8x8 image


def test_bad_parameters_are_refused_by_name():
    errors = params_validate(TEMPLATE, {**TEMPLATE.defaults, "model": "digits_mlp", "layer": 3})
    assert [e.param for e in errors] == ["layer"]
