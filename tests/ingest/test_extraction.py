import json

from ingest.extraction import (
    Extractor,
    concept_keys_for,
    concept_term,
    default_vocabulary,
    extract_concepts,
    find_acronym_definitions,
)
from ingest.text import shown_case, singular, squash
from tests.conftest import sample_lines


def names(text: str) -> dict[str, str]:
    return {c.name: c.key for c in extract_concepts(text)}


def test_surface_forms_of_one_concept_share_a_key():
    assert squash("SAEs") != squash("sparse autoencoder")  # only the text can say what SAE means
    keys = {
        squash("sparse autoencoder"),
        squash("sparse auto-encoders"),
        squash("Sparse Autoencoders"),
    }
    assert len(keys) == 1
    assert squash("chains of thought") == squash("chain-of-thought") == squash("Chain of Thought")
    assert squash("jailbreak attacks") == squash("jailbreak attack")
    assert squash("mixtures of experts") == squash("mixture-of-experts")


def test_acronym_defined_in_text_resolves_to_its_long_form():
    text = (
        "We train sparse autoencoders (SAEs) on residual streams. SAEs recover interpretable "
        "features, and sparse auto-encoders scale to large models."
    )
    concepts = [c for c in extract_concepts(text) if c.key == squash("sparse autoencoder")]
    assert len(concepts) == 1
    concept = concepts[0]
    assert concept.count == 4  # long form, the definition, the bare acronym, the hyphenated form
    assert "SAE" in concept.aliases
    assert concept.kind == "method"


def test_corpus_acronym_table_expands_undefined_acronyms():
    # The node is the long form's; a text that writes only the acronym names it so.
    found = {c.key: c.name for c in extract_concepts("We fine-tune LLMs with RLHF.")}
    assert found[squash("large language model")] == "LLM"
    assert found[squash("reinforcement learning from human feedback")] == "RLHF"


def test_spans_point_at_the_text():
    text = "Contrastive learning improves image classification on ImageNet."
    concepts = extract_concepts(text)
    assert {c.key for c in concepts} >= {
        squash("contrastive learning"),
        squash("image classification"),
    }
    for concept in concepts:
        assert concept.spans, f"{concept.name} has no span"
        for start, end in concept.spans:
            assert squash(text[start:end]) in {concept.key, *map(squash, concept.aliases)}


def test_kinds_follow_vocabulary_and_head_words():
    found = {c.name: c.kind for c in extract_concepts(
        "Image classification with a convolutional neural network, scored by top-1 accuracy "
        "on the ImageNet dataset."
    )}  # fmt: skip
    assert found["image classification"] == "task"
    assert found["convolutional neural network"] == "method"
    assert found["top-1 accuracy"] == "metric"  # named as written
    assert [kind for name, kind in found.items() if "imagenet" in name.lower()] == ["dataset"]
    # the concept list files MuJoCo among tasks; a camel-case name is a benchmark to run on
    mujoco = {c.name: c.kind for c in extract_concepts("Policies trained on MuJoCo locomotion.")}
    assert mujoco["MuJoCo"] == "dataset"
    # The lists name a dataset "Shifts"; in lower case the word is no dataset.
    shifts = {c.key: c.kind for c in extract_concepts("Models fail under shifts of the input.")}
    assert shifts.get("shift", "other") == "other"
    named = {c.key: c.kind for c in extract_concepts("We evaluate on the Shifts benchmark.")}
    assert named["shift"] == "dataset"


def test_function_words_and_generic_words_are_not_concepts():
    found = names("In this paper we propose a novel approach and show that it works well.")
    assert found == {}


def test_acronym_definition_finder():
    pairs = find_acronym_definitions("reinforcement learning from human feedback (RLHF) and a GAN")
    assert pairs == [("RLHF", "reinforcement learning from human feedback")]


def test_singular_keeps_non_plurals():
    assert singular("networks") == "network"
    assert singular("analysis") == "analysis"
    assert singular("properties") == "property"
    assert singular("dynamics") == "dynamics"


def test_real_abstracts_yield_typed_concepts_quickly():
    extractor = Extractor()
    texts = [json.loads(line)["abstract"] for line in sample_lines(50)]
    results = [extractor.extract(t) for t in texts]
    assert all(results), "every real abstract names at least one concept"
    kinds = {c.kind for r in results for c in r}
    assert {"task", "method"} <= kinds


def test_hostile_text_is_only_data():
    found = names(
        'We train sparse autoencoders <script>alert("x")</script> on reward models. '
        "MATCH (n) DETACH DELETE n; Robert'); DROP TABLE"
    )
    assert {"sparseautoencoder", "rewardmodel"} <= set(found.values())
    # punctuation splits phrases, so markup never becomes part of a name; nothing runs
    assert not any(mark in name for name in found for mark in "<>();'")


def test_names_keep_the_case_people_write():
    concepts = {c.name: c for c in extract_concepts(
        "We test GPT-4o on TruthfulQA, nuScenes, MMBench and IFEval with DPO; the HAllucination "
        "rate rises."
    )}  # fmt: skip
    assert {"GPT-4o", "TruthfulQA", "nuScenes", "MMBench", "IFEval"} <= set(concepts)
    # A title's capitals make no name: "Multi-Agent LLM Systems" is written in lower case.
    titled = {c.name for c in extract_concepts(
        "Multi-Agent LLM Systems for Retrieval-Augmented Generation."
    )}  # fmt: skip
    assert {"multi-agent LLM systems", "retrieval-augmented generation"} <= titled
    assert (concepts["GPT-4o"].kind, concepts["TruthfulQA"].kind) == ("other", "dataset")
    assert concepts["DPO"].key == squash("direct preference optimization")
    assert concepts["DPO"].aliases == ("DPO",)
    vision = {c.name: c.kind for c in extract_concepts("We train DenseNet on TinyImageNet.")}
    assert vision.get("TinyImageNet") == "dataset" and vision.get("DenseNet") == "method"
    assert not [name for name in concepts if "HAllucination" in name]


def test_proper_nouns_keep_their_capital_and_other_words_do_not():
    concepts = names(
        "We combine Thompson sampling with Monte Carlo tree search and Gaussian processes. "
        "Sparse Autoencoders and Vision Transformers are trained on Reddit."
    )
    assert {"Thompson sampling", "Monte Carlo tree search", "Gaussian processes"} <= set(concepts)
    assert "Reddit" in concepts
    assert "Kullback-Leibler divergence regularization" in names(
        "We add Kullback-Leibler divergence regularization to the policy."
    )
    # capitals authors add to a long form, or a sentence's first word, are no proper noun
    assert {"sparse autoencoders", "vision transformers"} <= set(concepts)
    assert shown_case("Transformer") == "transformer" and shown_case("LLMs") == "LLMs"


def test_lone_acronyms_and_languages_are_concepts_but_not_lower_case_words_like_them():
    found = names("We train an SVM on English; scores rise on TREC.")
    assert {"SVM", "TREC", "English"} <= set(found)
    assert not {"rise", "RISE"} & set(found)  # the word, not the vocabulary's method RISE


def test_generic_phrases_are_not_concepts():
    found = names(
        "An accurate model improves the downstream task on the input image; a larger model "
        "and the benchmark data set help the complex task. Existing reward models overfit."
    )
    assert found == {"reward models": "rewardmodel"}


def test_clause_fragments_are_cut_back_to_the_concept():
    found = names(
        "Methods that mitigate reward hacking work; when reward hacking arise, a probe "
        "corrects reward hacking in policies."
    )
    assert "reward hacking" in found
    assert not [name for name in found if name != "reward hacking" and "hacking" in name]


def test_phenomena_from_the_safety_vocabulary_have_their_kind():
    kinds = {c.name: c.kind for c in extract_concepts(
        "Sycophancy and reward hacking appear; superposition explains polysemanticity."
    )}  # fmt: skip
    assert kinds == {
        "sycophancy": "phenomenon", "reward hacking": "phenomenon",
        "superposition": "phenomenon", "polysemanticity": "phenomenon",
    }  # fmt: skip


def test_idioms_possessives_and_redundant_tails_are_trimmed():
    found = names(
        "This problem has received little attention. We study the model's reasoning with "
        "hallucination detection methods."
    )
    assert "little attention" not in found and "received little attention" not in found
    assert not [name for name in found if "'s" in name]
    assert "hallucination detection" in found and "hallucination detection method" not in found


def test_attention_as_english_is_no_concept_and_the_mechanism_stays():
    found = names(
        "Diffusion models have attracted considerable attention. The topic has drawn growing "
        "research attention, and we pay special attention to safety. Multi-head attention and "
        "graph attention networks gained widespread attention."
    )
    # no "considerable attention", and no stray mechanism from "gained widespread attention"
    assert [name for name in found if name.endswith("attention")] == ["multi-head attention"]
    assert "graph attention networks" in found


def test_ideas_need_more_than_a_whole_area_or_a_broad_head():
    from ingest.termhood import phrase_is_generic

    def too_broad(name: str) -> bool:
        return phrase_is_generic(name.split(), strict=True)

    for name in ("defense", "attacks", "decoding", "complex reasoning", "adaptive learning",
                 "next generation", "semantic understanding", "multimodal learning",
                 "multimodal reasoning", "automated detection", "precise control",
                 "gradient-based optimization", "optimal control", "quality control",
                 "early detection", "mechanistic analysis", "fine-grained control",
                 "genuine reasoning", "thorough analysis", "increasingly complex tasks",
                 "harder problems", "precise manipulation", "reliable detection"):  # fmt: skip
        assert too_broad(name), name
    for name in ("sycophancy", "unlearning", "hallucination", "GSM8K", "LoRA",
                 "mathematical reasoning", "federated learning", "in-context learning",
                 "sparse autoencoders", "reward hacking", "preference optimization",
                 "multimodal large language model", "anomaly detection", "prompt optimization",
                 "graph matching", "continuous control", "automatic speech recognition",
                 "sentiment analysis", "survival analysis", "mechanistic interpretability",
                 "error correction", "robotic manipulation", "autonomous driving",
                 "image manipulation", "hard negatives", "world model", "world models",
                 "world modeling"):  # fmt: skip
        assert not too_broad(name), name
    # The concept layer itself keeps them: they are what a text mentions.
    assert not phrase_is_generic(["complex", "reasoning"]) and not phrase_is_generic(["defense"])


def test_an_acronym_named_node_is_judged_by_its_long_form():
    from ideation.candidates import interventions

    term = concept_term(squash("small language model"), "SLM")
    assert term == "small language model" and not interventions([term])[0]  # a model family
    assert concept_term("rewardhacking", "reward hacking") == "reward hacking"
    assert concept_term("unknownacronym", "XYZQ") == "XYZQ"


def test_a_typed_acronym_finds_the_long_forms_node():
    assert squash("direct preference optimization") in concept_keys_for("DPO")
    assert squash("sparse autoencoder") in concept_keys_for("SAEs")
    assert concept_keys_for("reward hacking") == ["reward hacking", "rewardhacking"]


def test_a_version_number_is_not_cut_at_its_decimal_point():
    """ "Claude-3.5-Sonnet" became the concept "5-sonnet", and "Llama-3.1-8B" "1-8B"."""
    text = "Llama-3.1-8B-Instruct and Qwen2.5-7B are fine-tuned. We compare Claude-3.5-Sonnet."
    names = {c.name for c in extract_concepts(text)}
    assert "Llama-3.1-8B-Instruct" in names
    assert not any(name.lower().startswith(("5-", "1-")) for name in names), names


def test_an_acronym_the_corpus_defines_two_ways_names_a_concept_only_where_defined():
    """ASR is automatic speech recognition in most of the corpus and attack success rate in
    safety papers: undefined, it names nothing; defined, it is what the text says."""
    assert "ASR" in default_vocabulary().ambiguous
    assert not any(
        key in ("automaticspeechrecognition", "asr")
        for key in names("Our defense lowers ASR to 2%.").values()
    )
    defined = names("We report the attack success rate (ASR). Our defense lowers ASR to 2%.")
    assert "attacksuccessrate" in defined.values()
    assert "automaticspeechrecognition" not in defined.values()


def test_an_acronym_is_defined_by_the_words_its_initials_spell():
    pairs = find_acronym_definitions("We train with Proximal Policy Optimization (PPO) on Atari.")
    assert pairs == [("PPO", "Proximal Policy Optimization")]  # not "Policy Optimization"


def test_a_benchmark_written_as_its_acronym_is_a_dataset():
    """The acronym "MMLU" resolves to "massive multitask language understanding", whose head
    reads as a task: the 54k batch offered "VAE for MMLU" as a task to transfer a method to."""
    kinds = {c.name: c.kind for c in extract_concepts("We evaluate on MMLU and GSM8K.")}
    assert kinds == {"MMLU": "dataset", "GSM8K": "dataset"}


def test_a_term_of_art_made_of_generic_words_is_a_concept():
    found = names("We learn a world model of the environment in real world scenarios.")
    assert "world model" in found
    assert not [name for name in found if "scenario" in name]
