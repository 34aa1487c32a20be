"""The offline writer on contexts the test builds: what it claims follows from the analogy."""

from dataclasses import replace

from ideation.writers import (
    ConceptSide,
    GroundingPaper,
    IdeaDraft,
    OfflineWriter,
    PairContext,
    failure_phrase,
    noun_phrase,
)


def side(name: str, kind: str, field: str = "cs.LG") -> ConceptSide:
    return ConceptSide(name.replace(" ", ""), name, kind, field, field, 12)


def context(target_kind: str = "task", metric: str = "accuracy", via: bool = True) -> PairContext:
    method, target = side("activation steering", "method"), side("code repair", target_kind)
    return PairContext(
        a=method,
        b=target,
        papers=(
            GroundingPaper("p1", "Steering text generation", "We steer generation.", "via"),
            GroundingPaper(
                "p2",
                "Repairing code",
                "Code repair matters. However, code repair remains brittle under shift.",
                target.key,
            ),
        ),
        shared_neighbours=("large language model", "program synthesis"),
        forecast=0.4,
        via=side("text generation", "task", "cs.CL") if via else None,
        analogy=0.71 if via else None,
        target_company={"metric": (metric,), "dataset": ("HumanEval",), "method": ("LoRA",)},
    )


def test_an_analogy_is_written_with_its_precedent_and_a_falsifiable_prediction():
    draft = OfflineWriter().write(context())
    assert draft.title == "Activation steering for code repair, carried over from text generation"
    assert "remains brittle" in draft.problem  # the target paper's own statement of the problem
    assert '"Steering text generation"' in draft.problem and "0.71" in draft.problem
    assert "compared with LoRA" in draft.hypothesis and "on HumanEval" in draft.hypothesis
    assert "accuracy rises" in draft.expected and "falsifies" in draft.expected
    assert draft.grounding == ["p1", "p2"]


def test_a_metric_that_improves_by_falling_is_predicted_to_fall():
    draft = OfflineWriter().write(context(metric="mean squared error"))
    assert "mean squared error falls" in draft.expected
    draft = OfflineWriter().write(context(metric="attack success rate"))
    assert "lowers attack success rate" in draft.hypothesis
    assert "attack success rate falls" in draft.expected


def test_a_phenomenon_is_to_be_reduced():
    draft = OfflineWriter().write(context(target_kind="phenomenon"))
    assert draft.title == "Can activation steering address code repair, as it does text generation?"
    assert draft.hypothesis.startswith("Adding activation steering reduces code repair")
    assert "code repair falls" in draft.expected
    plural = PairContext(
        **{**context(target_kind="phenomenon").__dict__, "a": side("steering vectors", "method")}
    )
    written = OfflineWriter().write(plural)
    assert written.title == "Can steering vectors address code repair, as they do text generation?"
    assert "Steering vectors were used on text generation" in written.problem
    assert "applies them to text generation" in written.method
    assert "what steering vectors exploit in text generation" in written.risks


def test_a_pair_without_precedent_says_so():
    draft = OfflineWriter().write(context(via=False))
    assert "no precedent" in draft.problem
    assert "carried over" not in draft.title
    assert "closest stated use" not in draft.problem


def test_a_direct_pair_names_the_closest_use_of_its_method():
    ctx = PairContext(**{**context(via=False).__dict__, "loose_use": ("text generation", 0.12)})
    draft = OfflineWriter().write(ctx)
    assert "no precedent" in draft.problem
    assert (
        "The closest stated use of activation steering is on text generation (centred context "
        "similarity to code repair 0.12)."
    ) in draft.problem


def test_an_attack_as_the_target_is_defended_against_not_improved():
    ctx = context(via=False, metric="attack success rate")
    ctx = PairContext(**{**ctx.__dict__, "b": side("jailbreak attacks", "method")})
    draft = OfflineWriter().write(ctx)
    assert draft.title == "Can activation steering defend against jailbreak attacks?"
    assert draft.hypothesis.startswith(
        "Adding activation steering reduces the success of jailbreak attacks"
    )
    assert "the success of jailbreak attacks falls" in draft.expected


def test_a_direct_pair_on_a_failure_names_the_methods_record_against_failures():
    ctx = context(target_kind="phenomenon", via=False, metric="")
    papers = (GroundingPaper("p3", "Mitigating hallucinations", "We steer.", ctx.a.key),)
    ctx = PairContext(
        **{**ctx.__dict__, "papers": papers + ctx.papers[1:], "fight_record": (9, ("toxicity",))}
    )
    draft = OfflineWriter().write(ctx)
    assert (
        "Activation steering is named in 9 papers that set out to fight a failure (toxicity), "
        'among them "Mitigating hallucinations": a record against failures, not a stated use'
    ) in draft.problem
    assert "how often code repair occurs" in draft.method
    assert "falsifies the pairing of activation steering with code repair" in draft.expected


def test_a_record_against_a_like_failure_is_named_as_such():
    ctx = context(target_kind="phenomenon", via=False, metric="")
    papers = (GroundingPaper("p3", "Mitigating toxicity", "We steer.", ctx.a.key),)
    ctx = PairContext(
        **{
            **ctx.__dict__,
            "papers": papers + ctx.papers[1:],
            "fight_record": (9, ("hallucinations", "toxicity")),
            "alike_fought": (("toxicity", 4), ("jailbreak", 2)),
        }
    )
    draft = OfflineWriter().write(ctx)
    assert (
        "Activation steering is named in 9 papers that set out to fight a failure, among them "
        '"Mitigating toxicity": 4 against toxicity and 2 against jailbreak, failures whose '
        "papers read like those on code repair. That is a record against a failure like it, "
        "not a stated use on code repair."
    ) in draft.problem
    assert draft.risks.startswith("The case rests on 4 papers against toxicity, a failure whose")
    # the title names the record the idea rests on
    assert (
        draft.title
        == "Does activation steering's record against toxicity carry over to code repair?"
    )
    plural = OfflineWriter().write(
        PairContext(**{**ctx.__dict__, "a": side("steering vectors", "method")})
    )
    assert plural.title == (
        "Does steering vectors' record against toxicity carry over to code repair?"
    )


def test_time_and_memory_improve_by_falling_for_a_method_made_to_save_them():
    ctx = context()
    pruning = {**ctx.__dict__, "a": side("structured pruning", "method")}
    for metric in ("training time", "inference latency", "peak memory"):
        company = {**ctx.target_company, "metric": (metric,)}
        draft = OfflineWriter().write(PairContext(**{**pruning, "target_company": company}))
        assert f"{metric} falls" in draft.expected, metric
    # ... and are no measure of a method made for something else
    company = {**ctx.target_company, "metric": ("training time", "pass@1")}
    draft = OfflineWriter().write(PairContext(**{**ctx.__dict__, "target_company": company}))
    assert "training time" not in draft.hypothesis and "pass@1 rises" in draft.expected


def test_a_precedent_whose_title_states_the_use_is_not_quoted_twice():
    ctx = context()
    title = "Steering for text generation"
    papers = (GroundingPaper("p1", title, "Another sentence.", "via"),) + ctx.papers[1:]
    draft = OfflineWriter().write(PairContext(**{**ctx.__dict__, "papers": papers}))
    assert draft.method.count(title) == 1


def test_a_countable_method_takes_an_article():
    assert noun_phrase("hallucination detector") == "a hallucination detector"
    assert noun_phrase("adversarial classifier") == "an adversarial classifier"
    assert noun_phrase("unified probe") == "a unified probe"
    for name in ("contrastive decoding", "sparse autoencoders", "CLIP", "LLM judge"):
        assert noun_phrase(name) == name
    ctx = replace(context("phenomenon"), a=side("hallucination detector", "method"))
    draft = OfflineWriter().write(ctx)
    assert draft.title.startswith("Can a hallucination detector detect code repair")
    assert draft.hypothesis.startswith("A hallucination detector flags code repair")
    assert "with a hallucination detector, and measure" in draft.method
    ctx = replace(context("phenomenon"), a=side("safety filter", "method"))
    draft = OfflineWriter().write(ctx)
    assert "Adding a safety filter reduces code repair" in draft.hypothesis
    assert "with and without a safety filter" in draft.method


def test_a_title_asks_about_countable_failures_in_the_plural():
    assert failure_phrase("backdoor") == "backdoors"
    assert failure_phrase("adversarial vulnerability") == "adversarial vulnerabilities"
    for name in ("sycophancy", "reward hacking", "spurious correlations", "prompt injection"):
        assert failure_phrase(name) == name
    ctx = replace(
        context("phenomenon"),
        b=side("backdoor", "phenomenon"),
        via=side("jailbreak", "phenomenon"),
    )
    assert OfflineWriter().write(ctx).title == (
        "Can activation steering address backdoors, as it does jailbreaks?"
    )


def test_a_plural_method_takes_plural_verbs_in_the_problem():
    ctx = context(target_kind="phenomenon", via=False, metric="")
    ctx = PairContext(
        **{
            **ctx.__dict__,
            "a": side("sparse autoencoders", "method"),
            "fight_record": (12, ("toxicity",)),
        }
    )
    draft = OfflineWriter().write(ctx)
    assert "none uses them on a problem alike enough" in draft.problem
    assert "Sparse autoencoders are named in 12 papers" in draft.problem


def test_a_studied_phenomenon_is_asked_about_not_fought():
    ctx = context(target_kind="phenomenon", via=False, metric="")
    ctx = PairContext(**{**ctx.__dict__, "b": side("superposition", "phenomenon")})
    draft = OfflineWriter().write(ctx)
    assert draft.title == "What does activation steering do to superposition?"
    assert draft.hypothesis.startswith("Adding activation steering changes superposition")
    assert "superposition as its papers measure it moves" in draft.expected
    assert "reduce" not in draft.hypothesis and "how often" not in draft.method


def direct_on_phenomenon(method: str, phenomenon: str) -> IdeaDraft:
    """The offline draft of a direct pair (no precedent) of a method and a phenomenon."""
    ctx = context(target_kind="phenomenon", via=False, metric="")
    sides = {"a": side(method, "method"), "b": side(phenomenon, "phenomenon")}
    return OfflineWriter().write(PairContext(**{**ctx.__dict__, **sides}))


def test_a_method_that_reads_a_model_is_asked_whether_it_reveals_a_studied_phenomenon():
    draft = direct_on_phenomenon("linear probing", "superposition")
    assert draft.title == "Can linear probing reveal superposition?"
    assert draft.hypothesis.startswith("What linear probing reads out of a model tracks")
    assert "with and without" not in draft.method
    assert "compare its readout with superposition as its papers measure it" in draft.method
    assert draft.method.count("linear probing") == 1  # "Apply linear probing", not "Add" too
    assert "rank correlation above what shuffled readouts give" in draft.expected


def test_a_detector_against_a_failure_is_asked_whether_it_detects_it():
    draft = direct_on_phenomenon("hallucination detector", "sycophancy")
    assert draft.title == "Can a hallucination detector detect sycophancy?"
    assert draft.hypothesis.startswith("A hallucination detector flags sycophancy better than")
    assert "reduces" not in draft.hypothesis and "with and without" not in draft.method
    assert "(AUROC)" in draft.method and "AUROC above 0.5" in draft.expected


def test_a_wanted_phenomenon_is_improved():
    ctx = context(target_kind="phenomenon", via=False, metric="")
    ctx = PairContext(**{**ctx.__dict__, "b": side("monosemanticity", "phenomenon")})
    draft = OfflineWriter().write(ctx)
    assert draft.title == "Can activation steering improve monosemanticity?"
    assert draft.hypothesis.startswith("Adding activation steering increases monosemanticity")
    assert "monosemanticity as its papers measure it rises" in draft.expected


def test_a_method_like_a_stated_cause_of_the_failure_is_asked_which_way_it_moves_it():
    ctx = context(target_kind="phenomenon", via=False, metric="")
    cause = (
        "Thresholds for emergent misalignment",
        "Fine-tuning can lead to emergent misalignment.",
    )
    sides = {
        "a": side("instruction tuning", "method"),
        "b": side("emergent misalignment", "phenomenon"),
    }
    draft = OfflineWriter().write(PairContext(**{**ctx.__dict__, **sides, "cause": cause}))
    assert draft.title == "Does instruction tuning curb emergent misalignment, or bring it about?"
    assert "Fine-tuning can lead to emergent misalignment." in draft.problem
    assert "reduces" not in draft.hypothesis and "points to a rise" in draft.hypothesis
    assert "rises or falls" in draft.expected and "falsifies" in draft.expected
    assert "shared words, not read" in draft.risks
    plain = OfflineWriter().write(PairContext(**{**ctx.__dict__, **sides}))
    assert plain.title == "Can instruction tuning address emergent misalignment?"
    countable = OfflineWriter().write(
        PairContext(
            **{**ctx.__dict__, **sides, "b": side("backdoor", "phenomenon"), "cause": cause}
        )
    )
    assert countable.title == "Does instruction tuning curb backdoors, or bring them about?"


def test_a_plural_failure_takes_a_plural_verb():
    draft = direct_on_phenomenon("activation steering", "social biases")
    assert "how often social biases occur," in draft.method
    assert "how often sycophancy occurs," in direct_on_phenomenon("DPO", "sycophancy").method


def test_a_detector_on_a_task_flags_its_wrong_outputs():
    ctx = context(via=False, metric="")
    sides = {"a": side("hallucination detector", "method"), "b": side("image captioning", "task")}
    draft = OfflineWriter().write(PairContext(**{**ctx.__dict__, **sides}))
    assert draft.hypothesis.startswith(
        "A hallucination detector flags wrong image captioning outputs better than chance"
    )
    assert "(AUROC)" in draft.method and "improves" not in draft.hypothesis


def test_a_countable_failure_is_reduced_in_the_plural():
    draft = direct_on_phenomenon("activation steering", "backdoor")
    assert draft.hypothesis.startswith("Adding activation steering reduces backdoors")
    assert "backdoors fall relative" in draft.expected


def test_a_sparse_autoencoder_on_a_new_dataset_is_judged_by_its_own_measures():
    """ "Sparse autoencoders on CIFAR-10: does the gain it shows on ImageNet-1K hold?" asked for
    CIFAR-10 error rates: an SAE reads a model; what carries over is its sparsity and fidelity."""
    base = replace(
        context(target_kind="dataset", metric="error rate"),
        b=side("CIFAR-10", "dataset"),
        via=side("ImageNet-1K", "dataset"),
    )
    sae = OfflineWriter().write(replace(base, a=side("sparse autoencoders", "method")))
    assert sae.title == (
        "Sparse autoencoders on CIFAR-10: do the sparsity and fidelity seen on ImageNet-1K hold?"
    )
    assert "L0" in sae.hypothesis and "dead latents" in sae.hypothesis
    assert "Train sparse autoencoders as" in sae.method and "dead latents" in sae.method
    assert "error rate" not in sae.hypothesis + sae.method + sae.expected
    assert "falsifies the transfer from ImageNet-1K" in sae.expected
    other = OfflineWriter().write(replace(base, a=side("LoRA", "method")))
    assert other.title == "LoRA on CIFAR-10: does the gain it shows on ImageNet-1K hold?"
    assert "error rate" in other.hypothesis
