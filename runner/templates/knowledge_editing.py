"""Model editing on a toy: which training choices make a model's facts easier to edit?

A small causal transformer is trained inside the run to memorise synthetic facts: `n_subjects`
subjects, `n_relations` relations, each (subject, relation) with one of `n_objects` objects, each
relation said in `templates_per_relation` phrasings ("<prefix> SUBJECT <suffix> -> OBJECT", the
subject at different positions). It learns every fact in every phrasing.

Then `n_edits` facts the model knows are rewritten to a new object, `edit_batch` edits at a time
(each group on a fresh copy of the trained model), by one of:
- `rome`: rank-one model editing in the manner of ROME (Meng et al., 2022). The layer is located by
  causal tracing (`edit_layer = -1`, `locate = "trace"`): the subject's embedding is corrupted with
  noise and each layer's MLP output at the subject's last token is restored in turn; the layer
  whose restoration recovers most of the answer's probability is edited. With `locate = "edit"`
  the layer is instead the one where trial ROME edits of 8 held-out facts score best (Hase et al.,
  2023: where tracing localises a fact does not predict where editing it works). A value that
  makes the new object win is found by gradient descent at that layer's MLP output, and the MLP's
  output matrix gets the rank-one update that maps the subject's key to it, weighted by the
  inverse covariance of the keys.
- `memit`: the multi-layer method in the manner of MEMIT (Meng et al., 2023): a target for the
  residual stream at the located layer, reached by least-squares updates of the MLPs of the
  `memit_layers` layers ending at it (fewer when it is near the input), each layer taking its
  share of the residual still missing.
- `ft`: constrained fine-tuning (the baseline of both papers): the located layer's MLP output matrix
  is fine-tuned on the edit prompts, its change clamped to `ft_linf` in every entry.

Metrics, means over edits (CounterFact's definitions, on the synthetic facts):
- efficacy: the new object beats the old one on the edit prompt;
- paraphrase: the new object beats the old one in the relation's other phrasings;
- specificity: for neighbours (other subjects with the same relation, those sharing the old object
  first), the true object still beats the new one, in every phrasing;
- retention: top-1 accuracy on 300 unrelated facts after the edits, over the same before them;
- edit_score: harmonic mean of efficacy, paraphrase and specificity;
- fact_accuracy: before any edit, top-1 accuracy over every fact in every phrasing (what the model
  knew; an untrained model is at chance);
- trace_effect: causal tracing's recovered probability at the edited layer (0 when the model does
  not route the fact through the subject's MLPs)."""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runner.registry import Log, Metric, Template, template_register
from runner.sae import run_label

PREFIX_LENGTHS = (1, 2)  # tokens before the subject; the suffix fills the prompt to PROMPT_LENGTH
SUBJECT_LENGTH = 2  # a first and a last name, each shared with other subjects
PROMPT_LENGTH = 6  # BOS + prefix + subject + suffix
NEIGHBOURS = 8
RETENTION_FACTS = 300
TRACE_FACTS = 48
TRACE_NOISE = 3.0  # corruption: this many times the embeddings' standard deviation
LOCATE_FACTS = 8  # held-out facts edited at each layer when `locate` is "edit"

PARAMS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "n_subjects": {"type": "integer", "minimum": 20, "maximum": 5000, "default": 200},
        "n_relations": {"type": "integer", "minimum": 1, "maximum": 16, "default": 4},
        "n_objects": {"type": "integer", "minimum": 4, "maximum": 512, "default": 32},
        "templates_per_relation": {"type": "integer", "minimum": 2, "maximum": 8, "default": 3},
        "depth": {"type": "integer", "minimum": 2, "maximum": 8, "default": 4,
                  "description": "transformer blocks"},
        "d_model": {"type": "integer", "minimum": 16, "maximum": 512, "default": 64},
        "heads": {"type": "integer", "minimum": 1, "maximum": 16, "default": 4},
        "mlp_multiplier": {"type": "integer", "minimum": 1, "maximum": 16, "default": 4,
                           "description": "MLP width over d_model"},
        "weight_decay": {"type": "number", "minimum": 0, "maximum": 1, "default": 0.01},
        "dropout": {"type": "number", "minimum": 0, "maximum": 0.5, "default": 0.0},
        "train_steps": {"type": "integer", "minimum": 0, "maximum": 200000, "default": 3000},
        "learning_rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 0.002},
        "batch_size": {"type": "integer", "minimum": 1, "maximum": 8192, "default": 128},
        "edit_method": {"enum": ["rome", "memit", "ft"], "default": "rome"},
        "edit_layer": {"type": "integer", "minimum": -1, "maximum": 7, "default": -1,
                       "description": "-1: the layer `locate` chooses"},
        "locate": {
            "enum": ["trace", "edit"], "default": "trace",
            "description": "how edit_layer -1 is chosen: by causal tracing, or by trial ROME "
            "edits of held-out facts at every layer (the layer where they score best)",
        },
        "memit_layers": {"type": "integer", "minimum": 1, "maximum": 7, "default": 2},
        "covariance_weight": {
            "type": "number", "minimum": 0, "maximum": 100000, "default": 100.0,
            "description": "memit: weight of the keys' covariance against the edits' own keys",
        },
        "n_edits": {"type": "integer", "minimum": 1, "maximum": 500, "default": 20},
        "edit_batch": {"type": "integer", "minimum": 1, "maximum": 500, "default": 1,
                       "description": "edits applied together to one copy of the model"},
        "value_steps": {"type": "integer", "minimum": 1, "maximum": 2000, "default": 60},
        "ft_steps": {"type": "integer", "minimum": 1, "maximum": 2000, "default": 60},
        "ft_learning_rate": {"type": "number", "exclusiveMinimum": 0, "maximum": 1,
                             "default": 0.005},
        "ft_linf": {"type": "number", "exclusiveMinimum": 0, "maximum": 10, "default": 0.05,
                    "description": "ft: bound on every entry of the weight change"},
    },
}  # fmt: skip


def _check(params: dict[str, Any]) -> list[tuple[str, str]]:
    errors = []
    if params["d_model"] % params["heads"]:
        errors.append(("heads", "must divide d_model"))
    if params["edit_layer"] >= params["depth"] - 1:
        errors.append(("edit_layer", "must be below the last block (the answer is read after it)"))
    if params["edit_method"] == "memit" and params["memit_layers"] > params["depth"] - 1:
        errors.append(("memit_layers", "at most depth - 1"))
    if params["edit_batch"] > params["n_edits"]:
        errors.append(("edit_batch", "more than n_edits"))
    if params["n_edits"] > params["n_subjects"]:
        errors.append(("n_edits", "more than n_subjects (one edit per subject)"))
    return errors


# -- the facts -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Facts:
    """Every prompt of every fact: tokens (N x PROMPT_LENGTH), the position of the subject's last
    token, the answer, and which subject, relation and phrasing each row is."""

    tokens: Any
    subject_pos: Any
    answer: Any
    subject: Any
    relation: Any
    template: Any
    names: Any  # (n_subjects x SUBJECT_LENGTH) the subject's name tokens
    objects: Any  # (n_subjects x n_relations) true object token
    object_tokens: Any  # the vocabulary ids of the objects
    vocab_size: int


def facts_build(params: dict[str, Any], device: str):
    """The same world for every seed (the seed varies the model, not what it must learn)."""
    import torch

    g = torch.Generator().manual_seed(1234)
    n_s, n_r, n_o = params["n_subjects"], params["n_relations"], params["n_objects"]
    n_t = params["templates_per_relation"]
    bos, first_name = 0, 1
    pool = math.ceil(math.sqrt(2 * n_s))  # names per slot: each name is shared by ~pool / 2
    pairs = torch.randperm(pool * pool, generator=g)[:n_s]
    names = torch.stack([pairs // pool, pool + pairs % pool], dim=1) + first_name
    first_object = first_name + 2 * pool
    first_word = first_object + n_o
    objects = torch.randint(n_o, (n_s, n_r), generator=g) + first_object
    words_per_template = PROMPT_LENGTH - 1 - SUBJECT_LENGTH
    rows, positions, answers, subjects, relations, templates = [], [], [], [], [], []
    for r in range(n_r):
        for t in range(n_t):
            prefix = PREFIX_LENGTHS[t % len(PREFIX_LENGTHS)]
            start = first_word + (r * n_t + t) * words_per_template
            words = list(range(start, start + words_per_template))
            for s in range(n_s):
                rows.append([bos, *words[:prefix], *names[s].tolist(), *words[prefix:]])
                positions.append(prefix + SUBJECT_LENGTH)
                answers.append(int(objects[s, r]))
                subjects.append(s)
                relations.append(r)
                templates.append(t)
    as_long = lambda values: torch.tensor(values, dtype=torch.long, device=device)  # noqa: E731
    return Facts(
        tokens=as_long(rows),
        subject_pos=as_long(positions),
        answer=as_long(answers),
        subject=as_long(subjects),
        relation=as_long(relations),
        template=as_long(templates),
        names=names.to(device),
        objects=objects.to(device),
        object_tokens=torch.arange(first_object, first_word, device=device),
        vocab_size=first_word + n_r * n_t * words_per_template,
    )


# -- the model -------------------------------------------------------------------------------
def _model_class():
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, d: int, heads: int, width: int, dropout: float):
            super().__init__()
            self.ln_attn = nn.LayerNorm(d)
            self.attn = nn.MultiheadAttention(d, heads, dropout=dropout, batch_first=True)
            self.ln_mlp = nn.LayerNorm(d)
            self.mlp_in = nn.Linear(d, width)
            self.mlp_out = nn.Linear(width, d)  # what ROME and MEMIT edit: key -> value
            self.drop = nn.Dropout(dropout)

        def forward(self, x, mask):
            h = self.ln_attn(x)
            attended, _ = self.attn(h, h, h, attn_mask=mask, need_weights=False)
            x = x + self.drop(attended)
            return x + self.drop(
                self.mlp_out(torch.nn.functional.gelu(self.mlp_in(self.ln_mlp(x))))
            )

    class FactModel(nn.Module):
        def __init__(self, vocab: int, params: dict[str, Any]):
            super().__init__()
            d = params["d_model"]
            self.embed = nn.Embedding(vocab, d)
            self.position = nn.Parameter(torch.randn(PROMPT_LENGTH, d) * 0.02)
            self.blocks = nn.ModuleList(
                Block(d, params["heads"], d * params["mlp_multiplier"], params["dropout"])
                for _ in range(params["depth"])
            )
            self.ln_final = nn.LayerNorm(d)
            self.unembed = nn.Linear(d, vocab, bias=False)
            mask = torch.triu(torch.ones(PROMPT_LENGTH, PROMPT_LENGTH, dtype=torch.bool), 1)
            self.register_buffer("mask", mask)

        def forward(self, tokens, *, embed_noise=None):
            """Logits of the next token after the prompt. `embed_noise` (rows x d) is added to
            the subject's embedding (causal tracing's corruption)."""
            x = self.embed(tokens)
            if embed_noise is not None:
                x = x + embed_noise
            x = x + self.position
            for block in self.blocks:
                x = block(x, self.mask)
            return self.unembed(self.ln_final(x[:, -1]))

    return FactModel


class _Hooks:
    """Forward hooks, removed on exit: read a module's output (or a block's MLP keys, the input
    of its output matrix) at one position per row, or set or shift that output."""

    def __init__(self):
        self.handles = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for handle in self.handles:
            handle.remove()

    def capture_keys(self, block, positions, into: list):
        def hook(module, inputs, output):
            into.append(inputs[0][_rows(positions), positions])

        self.handles.append(block.mlp_out.register_forward_hook(hook))

    def capture_all_keys(self, block, into: list):
        def hook(module, inputs, output):
            into.append(inputs[0].reshape(-1, inputs[0].shape[-1]))

        self.handles.append(block.mlp_out.register_forward_hook(hook))

    def capture_output(self, module, positions, into: list):
        def hook(module, inputs, output):
            into.append(output[_rows(positions), positions])

        self.handles.append(module.register_forward_hook(hook))

    def set_output(self, module, positions, values):
        def hook(module, inputs, output):
            output = output.clone()
            output[_rows(positions), positions] = values
            return output

        self.handles.append(module.register_forward_hook(hook))

    def shift_output(self, module, positions, delta):
        def hook(module, inputs, output):
            output = output.clone()
            output[_rows(positions), positions] = output[_rows(positions), positions] + delta
            return output

        self.handles.append(module.register_forward_hook(hook))


def _rows(positions):
    import torch

    return torch.arange(len(positions), device=positions.device)


def _train(model, facts: Facts, params: dict[str, Any], seed: int, log: Log) -> list[float]:
    import torch

    optimiser = torch.optim.AdamW(
        model.parameters(), lr=params["learning_rate"], weight_decay=params["weight_decay"]
    )
    generator = torch.Generator().manual_seed(seed)
    steps, losses = params["train_steps"], []
    model.train()
    for step in range(1, steps + 1):
        rows = torch.randint(len(facts.tokens), (params["batch_size"],), generator=generator)
        rows = rows.to(facts.tokens.device)
        lr_scale = min(1.0, step / 100) * 0.5 * (1 + math.cos(math.pi * step / steps))
        for group in optimiser.param_groups:
            group["lr"] = params["learning_rate"] * lr_scale
        loss = torch.nn.functional.cross_entropy(model(facts.tokens[rows]), facts.answer[rows])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        if step % max(1, steps // 60) == 0 or step == steps:
            losses.append(loss.item())
        if step % max(1, steps // 5) == 0:
            log(f"  train step {step}/{steps}: loss {loss.item():.4f}")
    model.eval()
    return losses


# -- locating and editing --------------------------------------------------------------------
def causal_trace(model, facts: Facts, rows) -> list[float]:
    """Per layer, the answer's probability recovered by restoring that layer's MLP output at the
    subject (clean run) in a run whose subject embedding is corrupted, averaged over `rows`."""
    import torch

    tokens, positions, answers = facts.tokens[rows], facts.subject_pos[rows], facts.answer[rows]
    generator = torch.Generator().manual_seed(0)
    scale = TRACE_NOISE * float(model.embed.weight.std())
    noise = torch.zeros(len(rows), PROMPT_LENGTH, model.embed.weight.shape[1])
    for back in range(SUBJECT_LENGTH):  # every token of the subject's name
        noise[_rows(positions).cpu(), positions.cpu() - back] = (
            torch.randn(len(rows), model.embed.weight.shape[1], generator=generator) * scale
        )
    noise = noise.to(tokens.device)
    with torch.no_grad():
        clean_mlp: list = []
        with _Hooks() as hooks:
            for block in model.blocks:
                hooks.capture_output(block.mlp_out, positions, clean_mlp)
            model(tokens)
        corrupted = _answer_prob(model(tokens, embed_noise=noise), answers)
        effects = []
        for layer, block in enumerate(model.blocks):
            with _Hooks() as hooks:
                hooks.set_output(block.mlp_out, positions, clean_mlp[layer])
                restored = _answer_prob(model(tokens, embed_noise=noise), answers)
            effects.append(float((restored - corrupted).mean()))
    return effects


def _answer_prob(logits, answers):
    import torch

    return torch.softmax(logits, -1)[_rows(answers), answers]


def _keys(model, layer: int, tokens, positions):
    """The inputs of `layer`'s MLP output matrix at `positions`."""
    import torch

    keys: list = []
    with torch.no_grad(), _Hooks() as hooks:
        hooks.capture_keys(model.blocks[layer], positions, keys)
        model(tokens)
    return keys[0]


def key_covariance(model, layer: int, facts: Facts):
    """E[k k^T] of `layer`'s MLP keys over every position of every training prompt, with a
    small ridge so that it inverts."""
    import torch

    keys: list = []
    with torch.no_grad(), _Hooks() as hooks:
        hooks.capture_all_keys(model.blocks[layer], keys)
        model(facts.tokens)
    k = keys[0]
    covariance = k.T @ k / len(k)
    ridge = 1e-3 * float(covariance.diagonal().mean())
    return covariance + ridge * torch.eye(len(covariance), device=k.device)


def _outputs(model, module, tokens, positions):
    import torch

    found: list = []
    with torch.no_grad(), _Hooks() as hooks:
        hooks.capture_output(module, positions, found)
        model(tokens)
    return found[0]


def target_values(model, module, tokens, positions, targets, steps: int):
    """For each prompt, the output of `module` at the subject's position that makes the model
    answer `targets`: the current output plus a shift found by gradient descent (the shift's norm
    kept within 4x the output's, as ROME clamps it)."""
    import torch

    original = _outputs(model, module, tokens, positions)
    delta = torch.zeros_like(original, requires_grad=True)
    optimiser = torch.optim.Adam([delta], lr=0.1)
    limit = 4 * original.norm(dim=-1, keepdim=True)
    for _ in range(steps):
        with _Hooks() as hooks:
            hooks.shift_output(module, positions, delta)
            logits = model(tokens)
        loss = torch.nn.functional.cross_entropy(logits, targets)
        loss = loss + 1e-3 * (delta**2).sum(-1).mean()
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            norm = delta.norm(dim=-1, keepdim=True)
            delta.mul_(torch.clamp(limit / norm.clamp_min(1e-9), max=1.0))
    return (original + delta).detach()


def rome_edit(model, layer: int, covariance_inverse, tokens, positions, targets, steps: int):
    """Rank-one edits, one prompt after another: W += (v* - W k - b) (C^-1 k)^T / (k^T C^-1 k),
    so that the subject's key k now maps to the value v* that gives the new object."""
    import torch

    mlp_out = model.blocks[layer].mlp_out
    for row in range(len(tokens)):
        one = slice(row, row + 1)
        key = _keys(model, layer, tokens[one], positions[one])[0]
        value = target_values(model, mlp_out, tokens[one], positions[one], targets[one], steps)[0]
        with torch.no_grad():
            direction = covariance_inverse @ key
            residual = value - (mlp_out.weight @ key + mlp_out.bias)
            mlp_out.weight += torch.outer(residual, direction) / (direction @ key)


def memit_edit(model, layers: list[int], covariances, weight: float, tokens, positions, targets,
               steps: int):  # fmt: skip
    """MEMIT's update: a target residual z at the last layer's output, then for each layer in
    order W += R K^T (weight C + K K^T)^-1, R the residual still missing spread over the layers
    left (R: d x n, K: m x n keys of the edited subjects)."""
    import torch

    last = model.blocks[layers[-1]]
    goal = target_values(model, last, tokens, positions, targets, steps)
    for done, layer in enumerate(layers):
        keys = _keys(model, layer, tokens, positions).T  # m x n
        current = _outputs(model, last, tokens, positions)
        residual = ((goal - current) / (len(layers) - done)).T  # d x n
        with torch.no_grad():
            gram = weight * covariances[layer] + keys @ keys.T
            model.blocks[layer].mlp_out.weight += residual @ torch.linalg.solve(gram, keys).T


def ft_edit(model, layer: int, tokens, targets, steps: int, learning_rate: float, linf: float):
    """Constrained fine-tuning: the layer's MLP output matrix trained on the edit prompts, every
    entry of its change clamped to +-linf after each step."""
    import torch

    weight = model.blocks[layer].mlp_out.weight
    start = weight.detach().clone()
    weight.requires_grad_(True)
    optimiser = torch.optim.Adam([weight], lr=learning_rate)
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(model(tokens), targets)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        with torch.no_grad():
            weight.copy_(start + (weight - start).clamp(-linf, linf))
    weight.requires_grad_(False)


# -- scoring ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Edit:
    subject: int
    relation: int
    template: int
    old: int  # object tokens
    new: int


def _row(facts: Facts, n_templates: int, subject: int, relation: int, template: int) -> int:
    n_subjects = len(facts.objects)
    return (relation * n_templates + template) * n_subjects + subject


def edits_choose(facts: Facts, known, params: dict[str, Any], seed: int) -> list[Edit]:
    """`n_edits` facts on distinct subjects, those the model answers right in every phrasing
    first, each given a new object."""
    import torch

    g = torch.Generator().manual_seed(10_000 + seed)
    n_t, n_r = params["templates_per_relation"], params["n_relations"]
    candidates = []
    for subject in torch.randperm(params["n_subjects"], generator=g).tolist():
        relation = int(torch.randint(n_r, (1,), generator=g))
        rows = [_row(facts, n_t, subject, relation, t) for t in range(n_t)]
        candidates.append((not bool(known[rows].all()), subject, relation))
    candidates.sort(key=lambda c: c[0])  # known facts first, in random order
    edits = []
    for _, subject, relation in candidates[: params["n_edits"]]:
        old = int(facts.objects[subject, relation])
        choices = [int(o) for o in facts.object_tokens if int(o) != old]
        new = choices[int(torch.randint(len(choices), (1,), generator=g))]
        template = int(torch.randint(n_t, (1,), generator=g))
        edits.append(Edit(subject, relation, template, old, new))
    return edits


def trial_edit_scores(
    model, facts: Facts, edits: list[Edit], params: dict[str, Any], layers: int
) -> list[float]:
    """Per layer below the last, the edit score of ROME edits of `edits` made there, each on a
    fresh copy: where edits work, found by editing rather than by tracing (Hase et al., 2023,
    found that tracing does not predict it)."""
    import torch

    n_t = params["templates_per_relation"]
    scores = []
    for layer in range(layers):
        covariance_inverse = torch.linalg.inv(key_covariance(model, layer, facts))
        found: dict[str, list] = {"efficacy": [], "paraphrase": [], "specificity": []}
        for edit in edits:
            edited = copy.deepcopy(model)
            row = _row(facts, n_t, edit.subject, edit.relation, edit.template)
            target = torch.tensor([edit.new], device=facts.tokens.device)
            rome_edit(edited, layer, covariance_inverse, facts.tokens[[row]],
                      facts.subject_pos[[row]], target, params["value_steps"])  # fmt: skip
            for name, values in edits_score(edited, facts, [edit], params).items():
                found[name].extend(values)
        scores.append(harmonic_mean([sum(v) / len(v) for v in found.values()]) if edits else 0.0)
    return scores


def edits_score(model, facts: Facts, edits: list[Edit], params: dict[str, Any]) -> dict[str, list]:
    """Per edit: efficacy, paraphrase and specificity (each a share of prompts)."""
    import torch

    n_t = params["templates_per_relation"]
    scores: dict[str, list] = {"efficacy": [], "paraphrase": [], "specificity": []}
    with torch.no_grad():
        logits = model(facts.tokens)
    for edit in edits:
        row = _row(facts, n_t, edit.subject, edit.relation, edit.template)
        paraphrases = [
            _row(facts, n_t, edit.subject, edit.relation, t)
            for t in range(n_t)
            if t != edit.template
        ]
        scores["efficacy"].append(float(logits[row, edit.new] > logits[row, edit.old]))
        scores["paraphrase"].append(
            float((logits[paraphrases, edit.new] > logits[paraphrases, edit.old]).float().mean())
        )
        neighbours = _neighbours(facts, edits, edit)
        rows = [_row(facts, n_t, s, edit.relation, t) for s in neighbours for t in range(n_t)]
        truth = facts.answer[rows]
        scores["specificity"].append(
            float((logits[rows, truth] > logits[rows, edit.new]).float().mean())
        )
    return scores


def _neighbours(facts: Facts, edits: list[Edit], edit: Edit) -> list[int]:
    """Unedited subjects with the same relation, those sharing a name token with the edited one
    first (the facts an edit of the subject's representation is most likely to spill onto), then
    those whose object is the edited fact's old one (CounterFact's neighbourhood prompts)."""
    edited = {e.subject for e in edits}
    names = facts.names.tolist()
    column = facts.objects[:, edit.relation].tolist()
    mine = set(names[edit.subject])
    others = [s for s in range(len(column)) if s not in edited]
    others.sort(
        key=lambda s: (
            not mine.intersection(names[s]),
            column[s] != edit.old,
            (s * 7919 + edit.subject) % 1009,
        )
    )
    return others[:NEIGHBOURS]


def harmonic_mean(values: list[float]) -> float:
    if min(values) <= 0:
        return 0.0
    return len(values) / sum(1 / v for v in values)


# -- one run ---------------------------------------------------------------------------------
def run_one(*, params: dict[str, Any], seed: int, device: str, log: Log) -> dict[str, Any]:
    import torch

    facts = facts_build(params, device)
    torch.manual_seed(seed)
    model = _model_class()(facts.vocab_size, params).to(device)
    losses = _train(model, facts, params, seed, log)
    model.requires_grad_(False)
    with torch.no_grad():
        predicted = model(facts.tokens).argmax(-1)
    known = predicted == facts.answer
    fact_accuracy = float(known.float().mean())
    log(f"  the model answers {fact_accuracy:.1%} of the fact prompts")

    trace_rows = torch.nonzero(known).flatten()
    if len(trace_rows) == 0:
        trace_rows = torch.arange(len(facts.tokens), device=facts.tokens.device)
    order = torch.randperm(len(trace_rows), generator=torch.Generator().manual_seed(seed))
    trace = causal_trace(model, facts, trace_rows[order[:TRACE_FACTS].to(trace_rows.device)])
    editable = trace[: params["depth"] - 1]
    # The held-out facts come after the evaluation edits in the same draw: distinct subjects.
    drawn = edits_choose(
        facts, known, {**params, "n_edits": params["n_edits"] + LOCATE_FACTS}, seed
    )
    edits, held_out = drawn[: params["n_edits"]], drawn[params["n_edits"] :]
    layer, trial_scores = params["edit_layer"], []
    if layer < 0 and params["locate"] == "edit":
        trial_scores = trial_edit_scores(model, facts, held_out, params, len(editable))
        layer = max(range(len(editable)), key=trial_scores.__getitem__)
    elif layer < 0:
        layer = max(range(len(editable)), key=editable.__getitem__)
    log(f"  causal trace (recovered probability per layer): "
        f"{', '.join(f'{e:.3f}' for e in trace)}"
        + (f"; trial edit scores per layer: {', '.join(f'{e:.3f}' for e in trial_scores)}"
           if trial_scores else "")
        + f"; editing layer {layer}")  # fmt: skip

    edited_subjects = {e.subject for e in edits}
    g = torch.Generator().manual_seed(20_000 + seed)
    pool = [r for r in torch.randperm(len(facts.tokens), generator=g).tolist()
            if int(facts.subject[r]) not in edited_subjects][:RETENTION_FACTS]  # fmt: skip
    retention_rows = torch.tensor(pool, device=facts.tokens.device)
    retained_before = float(known[retention_rows].float().mean())

    memit_layers = list(range(max(0, layer - params["memit_layers"] + 1), layer + 1))
    covariances = {
        at: key_covariance(model, at, facts)
        for at in (memit_layers if params["edit_method"] == "memit" else [layer])
    }
    rome = params["edit_method"] == "rome"
    covariance_inverse = torch.linalg.inv(covariances[layer]) if rome else None
    n_t = params["templates_per_relation"]
    scores: dict[str, list] = {"efficacy": [], "paraphrase": [], "specificity": []}
    retained = []
    started = time.perf_counter()
    for first in range(0, len(edits), params["edit_batch"]):
        group = edits[first : first + params["edit_batch"]]
        edited = copy.deepcopy(model)
        rows = [_row(facts, n_t, e.subject, e.relation, e.template) for e in group]
        tokens, positions = facts.tokens[rows], facts.subject_pos[rows]
        targets = torch.tensor([e.new for e in group], device=tokens.device)
        if rome:
            rome_edit(edited, layer, covariance_inverse, tokens, positions, targets,
                      params["value_steps"])  # fmt: skip
        elif params["edit_method"] == "memit":
            memit_edit(edited, memit_layers, covariances, params["covariance_weight"], tokens,
                       positions, targets, params["value_steps"])  # fmt: skip
        else:
            ft_edit(edited, layer, tokens, targets, params["ft_steps"],
                    params["ft_learning_rate"], params["ft_linf"])  # fmt: skip
        for name, values in edits_score(edited, facts, group, params).items():
            scores[name].extend(values)
        with torch.no_grad():
            after = edited(facts.tokens[retention_rows]).argmax(-1) == facts.answer[retention_rows]
        retained.append(float(after.float().mean()))
    edit_seconds = (time.perf_counter() - started) / len(edits)

    means = {name: sum(values) / len(values) for name, values in scores.items()}
    metrics = {
        **means,
        "retention": (sum(retained) / len(retained)) / retained_before if retained_before else 0.0,
        "edit_score": harmonic_mean(list(means.values())),
        "fact_accuracy": fact_accuracy,
        "trace_effect": trace[layer],
    }
    log("  " + ", ".join(f"{name} {value:.3f}" for name, value in metrics.items()))
    return {
        "metrics": metrics,
        "history": {
            "step": [i * max(1, params["train_steps"] // 60) for i in range(1, len(losses) + 1)],
            "loss": losses,
        },  # fmt: skip
        "trace": trace,
        "trial_edit_scores": trial_scores,
        "edit_layer": layer,
        "edited_layers": memit_layers if params["edit_method"] == "memit" else [layer],
        "edit_seconds": edit_seconds,
    }


# -- plots -----------------------------------------------------------------------------------
def plot(runs: list[dict[str, Any]], out_dir: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plots_dir = out_dir / "plots"
    plots_dir.mkdir(parents=True, exist_ok=True)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in runs:
        ax.plot(range(len(run["trace"])), run["trace"], marker="o", label=run_label(run))
    ax.set_xlabel("layer whose MLP output at the subject is restored")
    ax.set_ylabel("answer probability recovered")
    ax.set_title("Causal tracing: where the facts are recalled")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(plots_dir / "causal_trace.png", dpi=110)
    plt.close(fig)

    names = ["efficacy", "paraphrase", "specificity", "retention", "edit_score"]
    fig, ax = plt.subplots(figsize=(max(7, 1.2 * len(runs) + 3), 4.5))
    width = 0.8 / max(1, len(runs))
    for number, run in enumerate(runs):
        xs = [i + number * width for i in range(len(names))]
        ax.bar(xs, [run["metrics"][n] for n in names], width=width, label=run_label(run))
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))], names)
    ax.set_ylim(0, 1.05)
    ax.set_title("Edit quality (share of prompts; retention: accuracy kept)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(plots_dir / "edit_scores.png", dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for run in runs:
        if run["history"]["loss"]:
            ax.plot(run["history"]["step"], run["history"]["loss"], label=run_label(run))
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("cross-entropy (training batch)")
    ax.set_title("Learning the facts")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(plots_dir / "training.png", dpi=110)
    plt.close(fig)
    return ["plots/causal_trace.png", "plots/edit_scores.png", "plots/training.png"]


TEMPLATE = template_register(
    Template(
        name="knowledge_editing",
        version=1,
        title="Knowledge editing (ROME, MEMIT, constrained fine-tuning) on a toy transformer",
        description=(
            "Trains a small causal transformer on synthetic facts in several phrasings, locates "
            "where it recalls them by causal tracing, edits facts by a rank-one update in the "
            "manner of ROME, a multi-layer update in the manner of MEMIT or constrained "
            "fine-tuning, and scores efficacy, paraphrase generalisation, neighbourhood "
            "specificity and retention; the training choices (depth, width, weight decay, "
            "dropout) are parameters, so editability can be compared across them."
        ),
        params_schema=PARAMS_SCHEMA,
        metrics=(
            Metric("efficacy", "maximize", "share of edit prompts where the new object wins"),
            Metric("paraphrase", "maximize", "the same in the relation's other phrasings"),
            Metric(
                "specificity",
                "maximize",
                "share of neighbour prompts whose true object still beats the new one",
            ),
            Metric(
                "retention",
                "maximize",
                "accuracy on unrelated facts after the edits over before them",
            ),
            Metric(
                "edit_score", "maximize", "harmonic mean of efficacy, paraphrase and specificity"
            ),
            Metric("fact_accuracy", "maximize", "facts the model knew before editing"),
            Metric(
                "trace_effect",
                "maximize",
                "answer probability restored at the edited layer by causal tracing",
            ),
        ),  # fmt: skip
        run_one=run_one,
        plot=plot,
        check=_check,
        concepts=(
            "knowledge editing",
            "model editing",
            "ROME",
            "MEMIT",
            "rank-one model editing",
            "causal tracing",
            "factual association",
            "factual recall",
            "editability",
            "knowledge localization",
            "locate-then-edit",
            "mass-editing memory in a transformer",
        ),
        tests=(
            "how well facts stored in a small transformer trained on synthetic facts can be "
            "rewritten (efficacy, paraphrase generalisation, neighbourhood specificity, "
            "retention) by ROME-style, MEMIT-style or constrained fine-tuning edits, and how the "
            "model's depth, width, weight decay and dropout change that"
        ),
        baseline={"edit_method": "ft"},
        baseline_name="constrained fine-tuning of the located layer's MLP (FT-L)",
    )
)
