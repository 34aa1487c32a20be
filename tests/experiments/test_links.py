"""Idea to experiment: which template an idea gets (a labelled set), what the spec says it tests,
pre-registration against the baseline, and write-up wording (no services needed)."""

import pytest

from experiments.drafting import spec_offline, template_for
from experiments.preregistration import MET_BY_BASELINE, UNCHECKED, criteria_flags
from experiments.writeup import notable_results, writeup_markdown
from tests.ideation.factories import SAE_IDEA, concept, idea_source_from, tiny_spec

ACTS, TOY, EDIT = "sae_activations", "sae_superposition", "knowledge_editing"
# (method, target, the template that tests it or "manual", and whether it is the hypothesis
# itself or a proxy). Built by hand: ideas a batch wrote or could write, including the misses
# of the keyword rule (a title word, a grounding paper's "representation", "feature").
LABELLED = [
    ("sparse autoencoder", "backdoor attacks", ACTS, "proxy"),
    ("TopK sparse autoencoders", "dead latents", ACTS, "hypothesis"),
    ("sparse auto-encoders", "polysemanticity", ACTS, "hypothesis"),
    ("superposition", "monosemanticity", TOY, "hypothesis"),
    ("dictionary learning", "vision transformer interpretability", ACTS, "proxy"),
    ("SAEs", "refusal", ACTS, "proxy"),
    ("multimodal model", "sparse autoencoder", ACTS, "proxy"),
    ("sparse coding", "image denoising", TOY, "proxy"),
    ("transcoders", "circuit discovery", ACTS, "proxy"),
    ("feature splitting", "language model features", ACTS, "proxy"),
    ("transferability", "TruthfulQA", "manual", ""),
    ("representation learning", "anomaly detection", "manual", ""),
    ("feature attribution", "hallucination detection", "manual", ""),
    ("feature selection", "tabular classification", "manual", ""),
    ("representation engineering", "sycophancy", "manual", ""),
    ("mechanistic interpretability", "reward hacking", "manual", ""),
    ("interpretability", "jailbreak", "manual", ""),
    ("sparse attention", "long-context modelling", "manual", ""),
    ("variational autoencoder", "molecule generation", "manual", ""),
    ("autoencoders", "network intrusion detection", "manual", ""),
    ("sparse mixture of experts", "machine translation", "manual", ""),
    ("model editing", "factual recall", EDIT, "hypothesis"),
    ("ROME", "knowledge conflicts", EDIT, "proxy"),
    ("MEMIT", "editability", EDIT, "hypothesis"),
    ("causal tracing", "hallucination detection", EDIT, "proxy"),
    ("knowledge distillation", "model compression", "manual", ""),
    ("knowledge graph", "question answering", "manual", ""),
    ("image editing", "diffusion model", "manual", ""),
    ("activation steering", "over-refusal", "manual", ""),
    ("linear probes", "deception detection", "manual", ""),
    ("graph neural network", "ogbn-proteins", "manual", ""),
    ("contrastive learning", "representation collapse", "manual", ""),
    ("low-rank adaptation", "catastrophic forgetting", "manual", ""),
    ("chain-of-thought", "superposition of reasoning paths", TOY, "proxy"),
    ("reward model", "reward hacking", "manual", ""),
]


def idea_of(method: str, target: str, **text):
    return idea_source_from(
        {
            **SAE_IDEA,
            "title": f"Bringing {method} to {target}",
            "problem": "Representation drift and feature interactions are hard to see.",
            "hypothesis": "Sparse features and representations explain it.",
            "method": "Train a sparse autoencoder on the features.",  # text never chooses
            **text,
            "concepts": [concept(method, "method", "cs.LG"), concept(target, "task", "cs.CL")],
        }
    )


@pytest.mark.parametrize(("method", "target", "template", "kind"), LABELLED)
def test_the_template_comes_from_the_ideas_own_concepts(method, target, template, kind):
    match = template_for(idea_of(method, target))
    assert (match.template.name if match else "manual") == template
    document = spec_offline(idea_of(method, target)).document
    assert document["runner"]["template"] == template
    assert document["tests"]["kind"] == (kind or "manual")


def test_the_labelled_set_has_no_false_positive():
    """The figure the issue asks for, over the whole set: ideas given a template they should
    not get (and the other way round)."""
    wrong = [
        (method, target)
        for method, target, template, _ in LABELLED
        if (m := template_for(idea_of(method, target))) is not None
        and template == "manual"
        or m is None
        and template != "manual"
    ]
    assert wrong == []


def test_a_proxy_spec_names_what_it_leaves_untested():
    document = spec_offline(idea_of("sparse coding", "backdoor attacks")).document
    assert document["tests"]["kind"] == "proxy"
    assert "'backdoor attacks' is not in the template" in document["tests"]["statement"]
    assert document["hypothesis"].startswith("Proxy of the idea's hypothesis")


@pytest.mark.parametrize(
    ("method", "target", "template"),
    [("TopK sparse autoencoders", "dead latents", ACTS), ("superposition", "monosemanticity", TOY)],
)
def test_drafted_criteria_lie_beyond_the_measured_baseline(method, target, template):
    document = spec_offline(idea_of(method, target)).document
    assert document["runner"]["template"] == template
    assert criteria_flags(document) == [], "checked against the reference, and none is met"


def test_a_criterion_the_baseline_meets_is_flagged_and_one_it_fails_is_not():
    document = spec_offline(idea_of("superposition", "monosemanticity")).document
    document["success_criteria"] = [
        {"metric": "mmcs", "comparison": ">=", "threshold": 0.9, "aggregate": "best"},
        {"metric": "nmse", "comparison": "<=", "threshold": 0.3, "aggregate": "best"},
        {"metric": "mmcs", "comparison": ">=", "threshold": 0.999, "aggregate": "best"},
    ]
    flags = criteria_flags(document)
    assert [(f.index, f.kind) for f in flags] == [(0, MET_BY_BASELINE), (1, MET_BY_BASELINE)]
    assert "already meets it: mmcs 0.9" in flags[0].message


def test_criteria_of_a_spec_off_the_reference_parameters_are_unchecked():
    flags = criteria_flags(tiny_spec())  # 16 features, not the 256 the baseline was measured at
    assert flags and {f.kind for f in flags} == {UNCHECKED}


def report_of(conditions: dict[str, list[dict]], seeds=(0, 1)) -> dict:
    return {
        "template": TOY, "template_version": 1, "device": "cpu", "torch": "2.13.0+cpu",
        "complete": True, "defaults": {},
        "plan": {"params": {}, "grid": {"sparsity_method": list(conditions)},
                 "seeds": list(seeds)},
        "metrics": [{"name": "mmcs", "direction": "maximize"},
                    {"name": "nmse", "direction": "minimize"},
                    {"name": "dead_fraction", "direction": "minimize"}],
        "runs": [
            {"condition": {"sparsity_method": name}, "seed": seed, "seconds": 2.0,
             "metrics": metrics}
            for name, per_seed in conditions.items()
            for seed, metrics in zip(seeds, per_seed, strict=True)
        ],
        "plots": [],
    }  # fmt: skip


def test_notable_results_name_dead_latents_and_trade_offs():
    report = report_of({
        "l1": [{"mmcs": 0.95, "nmse": 0.10, "dead_fraction": 0.0},
               {"mmcs": 0.97, "nmse": 0.12, "dead_fraction": 0.0}],
        "topk": [{"mmcs": 0.999, "nmse": 0.20, "dead_fraction": 0.5},
                 {"mmcs": 0.998, "nmse": 0.22, "dead_fraction": 0.46}],
    })  # fmt: skip
    lines = "\n".join(notable_results(report))
    assert "sparsity_method=topk leaves 48% of its latents dead" in lines
    assert "Trade-off" in lines and "nmse: sparsity_method=l1" in lines
    assert "mmcs: sparsity_method=topk" in lines


def test_notable_results_say_when_a_gap_is_within_seed_noise_and_stay_quiet_otherwise():
    noisy = report_of({
        "l1": [{"mmcs": 0.97, "nmse": 0.10, "dead_fraction": 0.0},
               {"mmcs": 0.99, "nmse": 0.12, "dead_fraction": 0.0}],
        "topk": [{"mmcs": 0.99, "nmse": 0.11, "dead_fraction": 0.0},
                 {"mmcs": 0.985, "nmse": 0.12, "dead_fraction": 0.0}],
    })  # fmt: skip
    lines = "\n".join(notable_results(noisy))
    assert "On mmcs the two best conditions" in lines and "within the seed noise" in lines
    calm = report_of({
        "l1": [{"mmcs": 0.5, "nmse": 0.5, "dead_fraction": 0.0}] * 2,
        "topk": [{"mmcs": 0.9, "nmse": 0.1, "dead_fraction": 0.01}] * 2,
    })  # fmt: skip
    assert notable_results(calm) == []


def test_the_write_up_of_a_proxy_claims_only_the_proxy():
    document = spec_offline(idea_of("sparse coding", "backdoor attacks")).document
    report = report_of({
        "l1": [{"mmcs": 0.999, "nmse": 0.05, "dead_fraction": 0.0}] * 2,
        "topk": [{"mmcs": 0.9995, "nmse": 0.04, "dead_fraction": 0.3}] * 2,
    })  # fmt: skip
    text, verdict, _ = writeup_markdown(
        document=document, report=report, status="succeeded", run_id=3, seconds=60
    )
    assert verdict == "supported"
    assert "proxy of the hypothesis supported" in text
    assert "support the proxy the spec names, not the idea's own hypothesis" in text
    assert "**What the runs test.** A proxy" in text
    assert "| sparsity_method | seeds | mmcs (mean ± sd over seeds) |" in text
    assert "seconds per run (mean)" in text


def test_criteria_the_baseline_meets_never_make_a_verdict_supported():
    document = spec_offline(idea_of("superposition", "monosemanticity")).document
    document["success_criteria"] = [
        {"metric": "mmcs", "comparison": ">=", "threshold": 0.9, "aggregate": "best"},
    ]
    report = report_of({"l1": [{"mmcs": 0.98, "nmse": 0.2, "dead_fraction": 0.0}] * 2})
    text, verdict, results = writeup_markdown(
        document=document, report=report, status="succeeded", run_id=4, seconds=60
    )
    assert verdict == "inconclusive" and results[0].met_by_baseline
    assert "the baseline already meets it, so it tests nothing" in text
    assert "could not have failed" in text
