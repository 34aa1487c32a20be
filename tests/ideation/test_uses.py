"""Stated uses: sentences that say a method is used on a problem, read from whole texts."""

from ideation.uses import cause_sentence, fights_in_text, usage_sentence, uses_in_text


def test_a_use_is_a_sentence_that_says_so_not_a_co_mention():
    used = [
        ("sparse autoencoder", "jailbreak detection",
         "We train sparse autoencoders for jailbreak detection."),
        ("DPO", "sycophancy", "We reduce sycophancy using DPO on synthetic preference data."),
        ("chain-of-thought", "math", "Chains of thought improve math accuracy."),
        ("activation steering", "over-refusal", "Activation steering mitigates over-refusal."),
        ("sparse autoencoder", "jailbreak detection",
         "Sparse autoencoders (SAEs) are popular. We train SAEs for jailbreak detection."),
    ]  # fmt: skip
    for method, problem, text in used:
        found = usage_sentence(method, problem, f"Intro. {text} More.")
        assert found and text.endswith(found), text
    mentioned = [
        ("jailbreak attacks", "adversarial manipulation",
         "Jailbreak attacks and adversarial manipulation threaten deployed models."),
        ("sparse autoencoder", "reward hacking",
         "Sparse autoencoders are popular. Reward hacking is a risk for RL."),
        ("DPO", "sycophancy",
         "Unlike DPO, which was studied on many benchmarks with diverse prompts, sycophancy."),
        # Read as uses before: a contrast, a method built on the "problem", a method exploiting it.
        ("full fine-tuning", "data poisoning",
         "LoRA exhibits better robustness to backdoor attacks than full fine-tuning, while becomes "
         "more vulnerable to untargeted data poisoning."),
        ("model editing", "meta-learning",
         "In particular, meta-learning-based model editing methods have notable advantages."),
        ("semi-supervised learning", "memorization",
         "Recent methods combine sample selection with semi-supervised learning (SSL) to exploit "
         "the memorization effect."),
        # A method resting on something is not used on it (a paper title of the 54k graph).
        ("model editing", "sand",
         "Is Model Editing Built on Sand? Revealing Its Illusory Success and Fragile Foundation"),
        ("RAG", "retrieval quality", "RAG relies on retrieval quality."),
    ]  # fmt: skip
    for method, problem, text in mentioned:
        assert usage_sentence(method, problem, text) is None, text


def test_a_text_is_read_for_every_use_among_its_concepts():
    text = (
        "Sparse autoencoders (SAEs) are trained on activations. We use SAEs for jailbreak "
        "detection and reduce sycophancy using DPO. DPO and reward hacking are both discussed."
    )
    concepts = [(1, "sparse autoencoder"), (2, "jailbreak detection"), (3, "DPO"),
                (4, "sycophancy"), (5, "reward hacking")]  # fmt: skip
    assert uses_in_text(text, concepts, {1, 3}) == {(1, 2), (3, 4)}
    # only methods take the method's place: the same sentence read with DPO as a problem
    assert uses_in_text(text, concepts, {1}) == {(1, 2)}
    assert uses_in_text(text, concepts, set()) == set()
    # a method named between does not take the use
    text = "We apply instruction tuning of LLMs for misinformation detection."
    concepts = [(1, "instruction tuning"), (2, "LLM"), (3, "misinformation")]
    assert (1, 3) in uses_in_text(text, concepts, {1, 2})


def test_every_mention_of_a_name_counts_not_only_the_first():
    text = "DPO is popular, unlike RLHF. We then apply DPO to mitigate sycophancy."
    assert uses_in_text(text, [(1, "DPO"), (2, "sycophancy")], {1}) == {(1, 2)}


def test_a_concept_is_found_by_the_variants_merged_into_it():
    # Abstracts write well-known acronyms without defining them.
    text = "We reduce sycophancy with DPO on synthetic preference data."
    concepts = [(1, "direct preference optimization"), (2, "sycophancy")]
    assert uses_in_text(text, concepts, {1}) == set()
    assert uses_in_text(text, concepts, {1}, aliases={1: ("DPO",)}) == {(1, 2)}
    found = usage_sentence(
        "direct preference optimization", "sycophancy", text, aliases=(("DPO",), ())
    )
    assert found == text


def test_a_title_states_a_use_from_further_apart_than_an_abstract_sentence():
    title = (
        "E-CaTCH: Event-Centric Cross-Modal Attention with Temporal Consistency and "
        "Class-Imbalance Handling for Misinformation Detection"
    )
    concepts = [(1, "cross-modal attention"), (2, "misinformation")]
    text = f"{title}. We study news posts."
    assert uses_in_text(text, concepts, {1}, titled=True) == {(1, 2)}
    assert uses_in_text(text, concepts, {1}) == set()  # not known to be a title
    # the same words in the abstract are too far apart to say it
    assert uses_in_text(f"A study. {title}.", concepts, {1}, titled=True) == set()
    found = usage_sentence("cross-modal attention", "misinformation", text, titled=True)
    assert found == f"{title}."


def test_a_phenomenon_counts_only_where_the_method_fights_it():
    fought = [
        ("DPO", "sycophancy", "We reduce sycophancy using DPO on synthetic preference data."),
        ("activation steering", "over-refusal", "Activation steering mitigates over-refusal."),
        ("sparse autoencoder", "jailbreak", "We train sparse autoencoders to detect jailbreaks."),
        ("contrastive decoding", "hallucinations",
         "Hallucination detection via contrastive decoding is cheap."),
        ("adversarial training", "jailbreak", "Adversarial training against jailbreaks helps."),
        ("sparse autoencoder", "jailbreak",
         "We train sparse autoencoders for jailbreak detection."),
    ]  # fmt: skip
    for method, problem, text in fought:
        assert usage_sentence(method, problem, text, fought=True) == text, text
    # used on it, but maybe to bring it about: a genetic algorithm writes jailbreaks
    brought_about = [
        ("genetic algorithm", "jailbreak", "We use a genetic algorithm for jailbreaks of LLMs."),
        ("reinforcement fine-tuning", "reward hacking",
         "Reward hacking via reinforcement fine-tuning is common."),
    ]  # fmt: skip
    for method, problem, text in brought_about:
        assert usage_sentence(method, problem, text) == text, text
        assert usage_sentence(method, problem, text, fought=True) is None, text
    text = "We use a genetic algorithm for jailbreaks. DPO mitigates jailbreaks."
    concepts = [(1, "genetic algorithm"), (2, "DPO"), (3, "jailbreak")]
    assert uses_in_text(text, concepts, {1, 2}) == {(1, 3), (2, 3)}
    assert uses_in_text(text, concepts, {1, 2}, frozenset({3})) == {(2, 3)}


def test_a_paper_fights_a_phenomenon_when_a_word_of_fighting_stands_next_to_it():
    phenomena = [(1, "reward hacking"), (2, "sycophancy"), (3, "hallucination")]
    assert fights_in_text("We propose a method to mitigate reward hacking in RLHF.", phenomena) == {
        1
    }
    assert fights_in_text("A benchmark for hallucination detection. It is hard.", phenomena) == {3}
    assert fights_in_text("This reduces the risk of sycophancy.", phenomena) == {2}
    # caused, studied or not reduced: no fight
    assert not fights_in_text("GRPO training causes reward hacking.", phenomena)
    assert not fights_in_text("We study sycophancy in chat models.", phenomena)
    assert not fights_in_text("Scaling does not reduce hallucinations.", phenomena)


def test_an_attack_paper_does_not_fight_what_it_attacks():
    # two titles of the demo corpus, the first sentence of the first's abstract
    motivation = (
        "Their robustness against adversarial manipulations, particularly jailbreak backdoor "
        "attacks, has become critically important."
    )
    phenomena = [(1, "jailbreak")]
    attack = "bi-GRPO: Bidirectional Optimization for Jailbreak Backdoor Injection on LLMs."
    attack = f"{attack} {motivation}"
    assert fights_in_text(attack, phenomena, titled=True) == set()
    assert fights_in_text(attack, phenomena) == {1}  # read as plain text, the sentence fights
    attack = "LatentBreak: Jailbreaking Large Language Models through Latent Space Feedback."
    assert fights_in_text(f"{attack} {motivation}", phenomena, titled=True) == set()
    defence = "Defending Against Jailbreaking Attacks via Safety Probes."
    assert fights_in_text(f"{defence} {motivation}", phenomena, titled=True) == {1}
    safety = "Safety Guardrails Under Jailbreaking Attacks."
    assert fights_in_text(f"{safety} {motivation}", phenomena, titled=True) == {1}


def test_a_failures_papers_may_name_what_brings_it_about():
    caused = [
        ("instruction tuning", "emergent misalignment",
         'Fine-tuning on incorrect data can lead to "emergent misalignment" in LLMs.'),
        ("preference optimization", "sycophancy",
         "Models flatter users, known as sycophancy. This tendency is reinforced by "
         "preference-based alignment techniques."),
        ("knowledge editing", "backdoor", "Backdoors injected via knowledge editing persist."),
        ("GRPO", "reward hacking", "We find that GRPO induces reward hacking on math tasks."),
        ("safety alignment", "over-refusal", "Over-refusal arising from safety alignment hurts."),
    ]  # fmt: skip
    for method, failure, text in caused:
        found = cause_sentence(method, failure, f"Intro. {text} More.")
        assert found and text.endswith(found), (method, text)
    not_caused = [
        # fought, not caused; or the words of causing have another sense
        ("contrastive decoding", "hallucination",
         "Contrastive decoding reduces hallucinations caused by language priors."),
        ("preference optimization", "sycophancy",
         "Preference optimization does not cause sycophancy."),
        ("reinforcement learning", "hallucination",
         "We use reinforcement learning with a reward against hallucination."),
        ("supervised fine-tuning", "hallucination",
         "Models struggle with fine-grained differences, leading to hallucinations."),
        ("vision models", "deception", "Deception: GPT-driven relighting against vision models."),
        ("large language model", "hallucination", "Large language models lead to hallucinations."),
        ("preference optimization", "spurious correlation",
         "Preference elicitation methods and spurious correlations."),
        # the failure causes, not the method
        ("reward model", "sycophancy", "Sycophancy results in reward model errors."),
    ]  # fmt: skip
    for method, failure, text in not_caused:
        assert cause_sentence(method, failure, text) is None, (method, text)
