import pytest

from ingest.text import singular
from ingest.variants import variant_reason, variant_signature

ONE_CONCEPT = [
    ("jailbreaking attacks", "jailbreak attacks", "same words"),
    ("detecting hate speech", "hate speech detection", "same words"),
    ("reinforcement learning with human feedback", "reinforcement learning from human feedback",
     "same words"),
    ("defence", "defense", "same words"),
    ("combinatorial optimisation", "combinatorial optimization", "same words"),
    ("safety behaviour", "safety behaviors", "same words"),
    ("llm-as-judge", "llm-as-a-judge", "same words"),
    ("reward modeling", "reward models", "same words"),
    ("gender biases", "gender bias", "same words"),
    ("deep reinforcement learning algorithms", "deep reinforcement learning",
     "adds only 'algorithm'"),
    ("average attack success rate", "attack success rate", "adds only 'average'"),
    ("multi-step reasoning tasks", "multi-step reasoning", "adds only 'task'"),
    ("ImageNet dataset", "ImageNet", "adds only 'dataset'"),
]  # fmt: skip

TWO_CONCEPTS = [
    ("GPT-3", "GPT-4"),  # versions
    ("ImageNet-A", "ImageNet-C"),
    ("Gemma-2-2B", "Gemma-3-4B"),
    ("safe queries", "unsafe queries"),  # a negation
    ("multi-turn attacks", "single-turn attacks"),
    ("optimal policy", "policy optimization"),  # "-al" is not "-ation"
    ("decoder", "decoding"),  # a part is not a process
    ("right-to-left", "left-to-right"),  # a compound keeps its order
    ("quantization-aware alignment", "alignment-aware quantization"),
    ("model reasoning", "reasoning models"),  # another head
    ("text alignment", "alignment text"),
    ("language models", "large language models"),  # "large" makes another concept
    ("fine-tuning", "full fine-tuning"),
    ("vision systems", "vision models"),  # each adds its own word
    ("reward model accuracy", "reward accuracy"),  # an added word in the middle
    ("streaming", "STREAM"),  # a name is compared whole
]


@pytest.mark.parametrize(("name", "other", "reason"), ONE_CONCEPT)
def test_names_of_one_concept_merge_with_a_reason(name, other, reason):
    assert variant_reason(name, other) == reason
    assert variant_reason(other, name) == reason
    assert variant_signature(name) == variant_signature(other)


@pytest.mark.parametrize(("name", "other"), TWO_CONCEPTS)
def test_names_of_two_concepts_never_merge(name, other):
    assert variant_reason(name, other) is None
    assert variant_reason(other, name) is None


def test_plurals_of_words_ending_in_s_keep_their_stem():
    assert [singular(w) for w in ["biases", "analyses", "hypotheses", "classes", "uses"]] == [
        "bias", "analysis", "hypothesis", "class", "use",
    ]  # fmt: skip
