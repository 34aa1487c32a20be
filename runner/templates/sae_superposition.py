"""Sparse autoencoders on a toy model of superposition.

Data: n_features ground-truth unit directions in an input_dim-dimensional space (more features
than dimensions, so they cannot be orthogonal); each sample is a sparse non-negative combination
of them (each feature on with probability feature_probability, magnitude uniform in [0, 1]).
Because the true directions are known, recovery is scored exactly: MMCS is the mean over true
features of the highest cosine similarity with any decoder direction (Sharkey et al., 2022).

The SAE: z = sparsify(act((x - b_dec) W_enc + b_enc)), x_hat = z W_dec + b_dec, with unit-norm
decoder rows (renormalised after each step so the L1 penalty cannot be dodged by scaling).
sparsity_method "l1" adds l1_coefficient * |z|_1 to the loss; "topk" keeps the k largest
pre-activations (Gao et al., 2024)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from runner.registry import Log, Metric, Template, template_register
from runner.sae import (
    SparseAutoencoder,
    dead_fraction,
    mean_l0,
    normalised_mse,
    plot_training_curves,
    run_label,
)

EVAL_BATCH = 4096
HISTORY_POINTS = 60

PARAMS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "input_dim": {
            "type": "integer", "minimum": 2, "maximum": 2048, "default": 64,
            "description": "dimension of the space the features are squeezed into",
        },
        "n_features": {
            "type": "integer", "minimum": 2, "maximum": 16384, "default": 256,
            "description": "number of ground-truth feature directions",
        },
        "feature_probability": {
            "type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.015,
            "description": "probability that a feature is on in a sample",
        },
        "dict_size": {
            "type": "integer", "minimum": 2, "maximum": 65536, "default": 512,
            "description": "number of SAE latents",
        },
        "sparsity_method": {
            "enum": ["l1", "topk"], "default": "topk",
            "description": "L1 penalty on the latents, or keep the k largest",
        },
        "activation": {
            "enum": ["relu", "gelu", "softplus"], "default": "relu",
            "description": "nonlinearity on the latents' pre-activations",
        },
        "l1_coefficient": {
            "type": "number", "minimum": 0, "maximum": 100, "default": 0.3,
            "description": "weight of the L1 penalty (sparsity_method l1)",
        },
        "topk_k": {
            "type": "integer", "minimum": 1, "maximum": 4096, "default": 4,
            "description": "latents kept per sample (sparsity_method topk)",
        },
        "steps": {
            "type": "integer", "minimum": 1, "maximum": 1000000, "default": 3000,
            "description": "training steps (fresh samples each step)",
        },
        "batch_size": {"type": "integer", "minimum": 1, "maximum": 65536, "default": 1024},
        "learning_rate": {
            "type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.003,
        },
        "eval_samples": {"type": "integer", "minimum": 100, "maximum": 1000000, "default": 20000},
        "data_seed": {
            "type": "integer", "minimum": 0, "maximum": 2**31 - 1, "default": 0,
            "description": "seed of the feature directions (the run's seed drives training)",
        },
    },
}  # fmt: skip


def _check(params: dict[str, Any]) -> list[tuple[str, str]]:
    errors = []
    if params["sparsity_method"] == "topk" and params["topk_k"] > params["dict_size"]:
        errors.append(
            ("topk_k", f"{params['topk_k']} is more than dict_size {params['dict_size']}")
        )
    if params["input_dim"] * params["dict_size"] > 50_000_000:
        errors.append(("dict_size", "input_dim x dict_size is over 50 million weights"))
    return errors


class ToyData:
    """Samples of sparse combinations of known unit directions."""

    def __init__(self, *, input_dim: int, n_features: int, probability: float, seed: int, device):
        import torch

        self.generator = torch.Generator(device="cpu").manual_seed(seed)
        directions = torch.randn(n_features, input_dim, generator=self.generator)
        self.directions = (directions / directions.norm(dim=1, keepdim=True)).to(device)
        self.n_features = n_features
        self.probability = probability
        self.device = device

    def sample(self, n: int):
        import torch

        on = torch.rand(n, self.n_features, generator=self.generator) < self.probability
        magnitudes = torch.rand(n, self.n_features, generator=self.generator)
        return (on * magnitudes).to(self.device) @ self.directions


def feature_max_cosines(directions, decoder):
    """For each true direction, the highest cosine with any decoder row."""
    decoder = decoder / decoder.norm(dim=1, keepdim=True).clamp_min(1e-8)
    directions = directions / directions.norm(dim=1, keepdim=True)
    return (directions @ decoder.T).max(dim=1).values


def run_one(*, params: dict[str, Any], seed: int, device: str, log: Log) -> dict[str, Any]:
    import torch

    data = ToyData(
        input_dim=params["input_dim"],
        n_features=params["n_features"],
        probability=params["feature_probability"],
        seed=params["data_seed"],
        device=device,
    )
    torch.manual_seed(seed)
    data.generator.manual_seed(params["data_seed"] * 1_000_003 + seed + 1)  # samples follow seed
    sae = SparseAutoencoder(
        input_dim=params["input_dim"], dict_size=params["dict_size"], params=params, device=device
    )
    optimiser = torch.optim.Adam(sae.parameters, lr=params["learning_rate"])
    steps = params["steps"]
    every = max(1, steps // HISTORY_POINTS)
    history: dict[str, list[float]] = {"step": [], "nmse": [], "l0": []}
    for step in range(1, steps + 1):
        x = data.sample(params["batch_size"])
        loss, z = sae.loss(x)
        x_hat = sae.decode(z)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        sae.normalise_decoder()
        if step % every == 0 or step == steps:
            with torch.no_grad():
                history["step"].append(step)
                history["nmse"].append(normalised_mse(x, x_hat))
                history["l0"].append(mean_l0(z))
        if step % max(1, steps // 5) == 0:
            log(f"  step {step}/{steps}: loss {loss.item():.4f}, nmse {history['nmse'][-1]:.4f}")
    with torch.no_grad():
        xs, zs, x_hats = [], [], []
        for start in range(0, params["eval_samples"], EVAL_BATCH):
            x = data.sample(min(EVAL_BATCH, params["eval_samples"] - start))
            z = sae.encode(x)
            xs.append(x)
            zs.append(z)
            x_hats.append(sae.decode(z))
        x, z, x_hat = torch.cat(xs), torch.cat(zs), torch.cat(x_hats)
        cosines = feature_max_cosines(data.directions, sae.W_dec)
        metrics = {
            "nmse": normalised_mse(x, x_hat),
            "mean_l0": mean_l0(z),
            "dead_fraction": dead_fraction(z),
            "mmcs": float(cosines.mean()),
        }
    return {
        "metrics": metrics,
        "history": history,
        "feature_max_cosines": [round(float(c), 4) for c in cosines.cpu()],
        "true_l0": params["n_features"] * params["feature_probability"],
    }


def plot(runs: list[dict[str, Any]], out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots_dir = out_dir / "plots"
    plots_dir.mkdir(parents=True, exist_ok=True)
    written = []

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run, marker in zip(runs, itertools.cycle("os^Dv<>PX*"), strict=False):
        m = run["metrics"]
        ax.scatter(m["mean_l0"], m["mmcs"], s=45, marker=marker, label=run_label(run))
    if runs:
        ax.axvline(runs[0]["true_l0"], color="grey", linestyle=":", label="true mean L0")
    ax.axhline(0.9, color="grey", linestyle="--", linewidth=0.8, label="MMCS 0.9")
    ax.set_xlabel("mean L0 (active latents per sample)")
    ax.set_ylabel("MMCS (feature recovery)")
    ax.set_title("Feature recovery against sparsity")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(plots_dir / "recovery.png", dpi=110)
    plt.close(fig)
    written.append("plots/recovery.png")

    written.append(plot_training_curves(runs, plots_dir))

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in runs:
        ax.hist(
            run["feature_max_cosines"], bins=40, range=(0, 1), histtype="step", label=run_label(run)
        )
    ax.set_xlabel("highest cosine of a true feature with any decoder direction")
    ax.set_ylabel("true features")
    ax.set_title("Per-feature recovery")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(plots_dir / "feature_cosines.png", dpi=110)
    plt.close(fig)
    written.append("plots/feature_cosines.png")
    return written


TEMPLATE = template_register(
    Template(
        name="sae_superposition",
        version=1,
        title="Sparse autoencoders on a toy model of superposition",
        description=(
            "Trains sparse autoencoders on sparse combinations of known feature directions in a "
            "lower-dimensional space and scores how well their decoders recover those features."
        ),
        params_schema=PARAMS_SCHEMA,
        metrics=(
            Metric("nmse", "minimize", "reconstruction MSE over the data's variance"),
            Metric("mean_l0", "minimize", "active latents per sample"),
            Metric("dead_fraction", "minimize", "share of latents never active"),
            Metric("mmcs", "maximize", "mean max cosine of true features with decoder rows"),
        ),
        run_one=run_one,
        plot=plot,
        check=_check,
        concepts=(
            "superposition",
            "toy model of superposition",
            "feature recovery",
            "dictionary learning",
            "sparse dictionary learning",
            "sparse coding",
            "monosemanticity",
            "polysemanticity",
            "polysemantic neuron",
        ),
        tests=(
            "whether sparse autoencoders recover known feature directions from a toy model of "
            "superposition (MMCS), at what reconstruction error, sparsity and share of dead "
            "latents, as the sparsity method and dictionary size vary"
        ),
        baseline={"sparsity_method": "l1", "dict_size": 256},
        baseline_name="L1 sparse autoencoder with as many latents as true features",
    )
)
