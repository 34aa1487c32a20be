"""The sparse autoencoder the SAE templates train, and the measures they share.

z = sparsify(act((x - b_dec) W_enc + b_enc)), x_hat = z W_dec + b_dec, with unit-norm decoder
rows (renormalised after each step so an L1 penalty cannot be dodged by scaling). Sparsity:
"l1" adds l1_coefficient * |z|_1 to the loss; "topk" keeps the k largest pre-activations (Gao et
al., 2024); "jumprelu" zeroes each latent below a learned threshold and penalises the count of
active latents, L0, directly, with straight-through pseudo-gradients for the thresholds
(Rajamanoharan et al., 2024)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

SPARSITY_METHODS = ("l1", "topk", "jumprelu")
JUMP_BANDWIDTH = 0.001  # width of the rectangle that stands in for the step's derivative


def _activation(name: str):
    import torch.nn.functional as F

    return {"relu": F.relu, "gelu": F.gelu, "softplus": F.softplus}[name]


def _jump_functions():
    """The step H(pre - theta) with a pseudo-derivative for theta, as torch autograd Functions."""
    import torch

    class Step(torch.autograd.Function):
        @staticmethod
        def forward(ctx, pre, theta):
            ctx.save_for_backward(pre, theta)
            return (pre > theta).to(pre.dtype)

        @staticmethod
        def backward(ctx, grad):
            pre, theta = ctx.saved_tensors
            near = ((pre - theta).abs() < JUMP_BANDWIDTH / 2).to(pre.dtype) / JUMP_BANDWIDTH
            return torch.zeros_like(pre), (-near * grad).sum(0)

    class Jump(torch.autograd.Function):
        @staticmethod
        def forward(ctx, pre, theta):
            ctx.save_for_backward(pre, theta)
            return pre * (pre > theta).to(pre.dtype)

        @staticmethod
        def backward(ctx, grad):
            pre, theta = ctx.saved_tensors
            gate = (pre > theta).to(pre.dtype)
            near = ((pre - theta).abs() < JUMP_BANDWIDTH / 2).to(pre.dtype) / JUMP_BANDWIDTH
            return gate * grad, (-theta * near * grad).sum(0)

    return Step.apply, Jump.apply


class SparseAutoencoder:
    def __init__(self, *, input_dim: int, dict_size: int, params: dict[str, Any], device):
        import torch

        self.W_enc = torch.randn(input_dim, dict_size, device=device) / input_dim**0.5
        self.W_dec = self.W_enc.T.clone()
        self.W_dec /= self.W_dec.norm(dim=1, keepdim=True)
        self.b_enc = torch.zeros(dict_size, device=device)
        self.b_dec = torch.zeros(input_dim, device=device)
        self.parameters = [self.W_enc, self.W_dec, self.b_enc, self.b_dec]
        self.method = params["sparsity_method"]
        self.log_theta = None
        if self.method == "jumprelu":
            start = params.get("jumprelu_threshold", 0.01)
            self.log_theta = torch.full((dict_size,), float(start), device=device).log()
            self.parameters.append(self.log_theta)
            self.step, self.jump = _jump_functions()
        for tensor in self.parameters:
            tensor.requires_grad_(True)
        self.act = _activation(params["activation"])
        self.k = params["topk_k"] if self.method == "topk" else None
        self.coefficient = params["l1_coefficient"]

    def preactivation(self, x):
        return (x - self.b_dec) @ self.W_enc + self.b_enc

    def encode(self, x):
        import torch

        pre = self.preactivation(x)
        if self.method == "topk":
            values, indices = pre.topk(self.k, dim=-1)
            return torch.zeros_like(pre).scatter(-1, indices, self.act(values))
        if self.method == "jumprelu":
            return self.jump(self.act(pre), self.log_theta.exp())
        return self.act(pre)

    def decode(self, z):
        return z @ self.W_dec + self.b_dec

    def loss(self, x):
        """Reconstruction error plus the method's sparsity penalty, and the batch's latents."""
        z = self.encode(x)
        loss = ((x - self.decode(z)) ** 2).sum(-1).mean()
        if self.method == "l1":
            loss = loss + self.coefficient * z.abs().sum(-1).mean()
        elif self.method == "jumprelu":
            active = self.step(self.act(self.preactivation(x)), self.log_theta.exp())
            loss = loss + self.coefficient * active.sum(-1).mean()
        return loss, z

    def normalise_decoder(self) -> None:
        import torch

        with torch.no_grad():
            self.W_dec /= self.W_dec.norm(dim=1, keepdim=True).clamp_min(1e-8)


def normalised_mse(x, x_hat) -> float:
    """Reconstruction error over the variance of the data: 1.0 is as bad as predicting the mean."""
    error = ((x - x_hat) ** 2).sum(-1).mean()
    variance = ((x - x.mean(0)) ** 2).sum(-1).mean()
    return float(error / variance)


def mean_l0(z) -> float:
    return float((z != 0).float().sum(-1).mean())


def dead_fraction(z) -> float:
    """Share of latents that are zero on every evaluation sample."""
    return float(((z != 0).sum(0) == 0).float().mean())


def label_purity(z, labels, classes: int) -> float:
    """Monosemanticity as concentration: of all the latents' activation mass on the evaluation
    data, the share that falls on each latent's most frequent label (1.0: every latent fires for
    one label only; about the largest label's share when latents ignore labels). Weighted by mass,
    so a latent that fires once cannot count as perfectly pure. 0 when no latent is active."""
    import torch

    mass = torch.zeros(classes, z.shape[1], dtype=z.dtype, device=z.device)
    mass.index_add_(0, labels.to(z.device), z.abs())
    total = float(mass.sum())
    return float(mass.max(0).values.sum()) / total if total > 0 else 0.0


def run_label(run: dict[str, Any]) -> str:
    """A run in a plot's legend: its varied parameters and seed."""
    varied = ", ".join(f"{k}={v}" for k, v in run["condition"].items())
    return f"{varied or 'default'} (seed {run['seed']})"


def plot_training_curves(runs: list[dict[str, Any]], plots_dir: Path) -> str:
    """Each run's training-batch normalised MSE against step; returns the file's path relative
    to the run directory."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in runs:
        ax.plot(run["history"]["step"], run["history"]["nmse"], label=run_label(run), linewidth=1)
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("normalised MSE (training batch)")
    ax.set_title("Training curves")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(plots_dir / "training.png", dpi=110)
    plt.close(fig)
    return "plots/training.png"
