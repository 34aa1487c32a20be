"""Candidate ideas by analogical transfer, found without enumerating all pairs.

A candidate is a method M and a target T (a task, phenomenon or dataset, preferably of another
field than M's) that no paper mentions together, with a reason: M is already used on a problem
P that resembles T (P and T are used in similar contexts: the cosine of their papers' mean
embeddings, also once centred on the mean of all concepts', which alone tells related problems
from a shared area), in a paper that says M is used on P (`ideation.uses`: the history reads
every paper for such sentences, so only stated uses start an analogy, never a co-mention). For
example: sparse autoencoders were used for jailbreak detection; reward-hacking detection
resembles jailbreak detection; no paper uses sparse autoencoders on reward hacking.

Two directions meet in the same candidates: from a method, through the problems it is used on,
to problems like them; and from a target, through the problems like it, to the methods used on
those. Seeds pick the starting concepts; without seeds the most active ones start. A graph too
small for analogies gets direct pairs (a method and a target close in meaning), which carry no
precedent and say so.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np

from ideation.history import MIN_PAPERS, History, Snapshot, day_number
from ingest.termhood import phrase_is_generic
from ingest.text import is_cased_name, squash

METHOD = "method"
# Metrics say how a target is measured (the writer names them) but make vague targets alone.
TARGET_KINDS = ("task", "phenomenon", "dataset")
DEFAULT_KINDS = (METHOD, *TARGET_KINDS)
# A target resembles a problem of its own sort: a task another task, a phenomenon (something
# that goes wrong: reward hacking, sycophancy) another phenomenon, a dataset another dataset.
# What fights a failure does not carry over to a task ("inverse RL detects reward hacking, so
# try it for mathematical reasoning").
PROBLEM_GROUP = {"task": 0, "phenomenon": 1, "dataset": 2}
VIA_PER_SOURCE = 12  # problems a method is used on (or problems like a target) followed
PER_VIA = 25  # targets like each problem (or methods used on each problem) considered
MIN_ANALOGY = 0.45  # context cosine at which a problem resembles another
# A target whose papers name the precedent's problem this often (of the smaller's papers) is in
# that problem's own community, not another: "quality estimation" in machine translation's,
# HumanEval beside GSM8K in the same evaluations. Carrying a method over is no transfer there.
SAME_COMMUNITY_SHARE = 0.3
# ... and the same, centred: unrelated problems of one area sit near 0, alike ones near 0.6
# ("object detection" and "semantic segmentation" 0.57, "jailbreak" and "prompt injection"
# 0.66 in the demo corpus). A precedent must resemble its target more than ANALOGY_PERCENTILE
# percent of random pairs of the graph's problems do, and never less than this floor.
MIN_CENTRED_ANALOGY = 0.3
ANALOGY_PERCENTILE = 95
PERCENTILE_MIN_PROBLEMS = 30  # fewer problems than this give no percentile worth the name
# A method is tried only on a target whose papers read like its own (raw context cosine) at
# least as much as half of random method-target pairs do: "knowledge editing for continuous
# control, carried over from autonomous driving" paired an LLM technique with RL agents. On the
# hindsight graph (8,463 papers to 2025-12-31) 1 of the 189 analogies below this floor was
# taken up in the next three months, 55 of the 1,165 above it.
COMPATIBLE_PERCENTILE = 50
# A direct pair's loose reason, a stated use of the method on a problem like the target, needs
# the two problems closer than NEAR_PERCENTILE percent of random pairs of the graph's problems
# (centred context cosine; the demo's 90th percentile is 0.28): "above 0" let "alignment"
# stand behind "preference optimization for image captioning" at 0.01, and the 75th
# percentile (0.13) "multi-hop question answering" behind "knowledge editing for natural
# language understanding". (On the hindsight graph 12 of 200 ideas were taken up at either
# percentile; on the demo, "model editing for data synthesis" and "... for fact-checking" left.)
NEAR_PERCENTILE = 90
SYNONYM_COSINE = 0.9  # above this two concepts are one thing in other words
USES_PER_CONCEPT = 2  # a concept appears in at most this many chosen ideas
# Concepts in more than this share of all papers ("large language model") make vague ideas;
# they take part only as seeds, and are no bridge between two concepts.
GENERIC_SHARE = 0.03
# Below this no concept counts as a hub, however small the graph: on the 2,350-paper demo corpus
# 3% is 70 papers, and "sparse autoencoders" (88) would be left out of a corpus centred on
# interpretability. (On the hindsight graph, 8,463 papers, 3% is 254 and this does not bind.)
HUB_MIN_PAPERS = 150
# A method role needs an intervention, not a family of models ("frontier models", "agentic
# systems", "large vision-language model", "backbone architectures"), a part of one
# ("retriever", "policy", "reconstruction kernels"), a rule or a vague aid ("safety policies",
# "external heuristics"): those are what interventions are applied to, or say nothing.
MODEL_FAMILY_HEADS = frozenset(
    "model models llm llms mllm mllms lvlm lvlms vlm vlms system systems agent agents "
    "framework frameworks network networks transformer transformers architecture "
    "representation representations layer layers encoder encoders decoder decoders "
    "embedding embeddings feature features retriever retrievers generator generators policy "
    "policies architectures backbone backbones translator translators kernel kernels "
    "heuristic heuristics".split()
)
# A pretrained model named by its checkpoint family ("DistilBERT", "IndicBERT", "CLIP", "XLNet",
# "GPT-4o", "DenseNet", "MobileNetV2") is an artefact an intervention is applied to, like a
# family of models: "IndicBERT for text generation" and "BioBERT on MIMIC-IV" read as using a
# model, not testing an idea.
NAMED_MODEL = re.compile(
    r"^(\w*bert|\w*berta|clip|xlnet|gpt|llama|t5|bart|vit|\w*resnet\d*|u-?net|qwen|mistral|gemma|"
    r"gemini|claude|deepseek|densenet|mobilenet\w*|efficientnet\w*|vgg|alexnet|inception|convnext|"
    r"swin|deit|yolo\w*)([-.]?\d[\w.\-]*)?$",
    re.IGNORECASE,
)
ATTACK_HEADS = frozenset(
    "attack attacks poisoning jailbreak jailbreaks jailbreaking backdoor backdoors injection "
    "exploit exploits".split()
)
# Attacks whose head word is no attack word ("membership inference for temporal reasoning"
# offered an attack as the intervention).
ATTACK_NAMES = frozenset(
    {
        "membership inference", "model inversion", "model extraction", "model stealing",
        "data extraction", "training data extraction", "prompt leaking", "prompt extraction",
        "attribute inference", "gradient inversion", "evasion",
    }
)  # fmt: skip
# ... nor is a method named for the harm it does ("harmful fine-tuning", "malicious prompting").
THREAT_MODIFIERS = frozenset("harmful malicious unsafe toxic deceptive poisoned misaligned".split())
# "Adversarial" names an attack on an input ("adversarial prompting", "adversarial suffixes"; the
# 54k graph offered "Can adversarial prompting address deception?"), not a defence built from one
# ("adversarial training").
ADVERSARIAL_INPUTS = frozenset(
    "prompting prompt prompts suffix suffixes perturbation perturbations example examples input "
    "inputs patch patches query queries text texts".split()
)
# A task named for a way of working ("meta-learning", "dictionary learning", "bayesian
# inference", "prompt engineering", "knowledge graphs") is a method or a tool that a concept
# list filed as a task: no problem to transfer from or to.
PARADIGM_HEADS = frozenset(
    "learning inference engineering graph graphs optimization optimisation search sampling "
    "decoding training tuning distillation regularization augmentation".split()
)
# Names of whole fields are not problems an idea could target or transfer from.
FIELD_NAMES = frozenset(
    """deep learning|machine learning|artificial intelligence|natural language processing|
    computer vision|data science|data processing|data analysis|data mining|statistics|robotics|
    signal processing|information retrieval|optimization|optimisation|learning|philosophy|ethics|
    psychology|economics|law|medicine|biology|chemistry|physics|mathematics|math|linguistics|
    sociology|education|healthcare|finance""".replace("\n", "").split("|")
)
_WORD = re.compile(r"[a-z0-9]+")
_FUNCTION_WORDS = frozenset("a an and the of for in on to with by from via based".split())


class UnknownConcepts(ValueError):
    def __init__(self, names: list[str]):
        super().__init__(f"unknown concept(s): {', '.join(names)}")
        self.names = names


@dataclass(frozen=True)
class CandidateQuery:
    seeds: tuple[str, ...] = ()  # concept keys
    fields: tuple[str, ...] = ()  # primary categories, e.g. cs.LG: one side must be there
    kinds: tuple[str, ...] = DEFAULT_KINDS  # allowed concept kinds
    active_since: str | None = None  # both concepts have a paper on or after this date
    min_papers: int = MIN_PAPERS


@dataclass
class Candidates:
    a: np.ndarray  # the method
    b: np.ndarray  # the target
    via: np.ndarray  # the problem the method is already used on, which resembles the target
    analogy: np.ndarray  # context cosine of via and target
    support: np.ndarray  # papers stating the method is used on via
    cross_field: np.ndarray  # the method's and the target's main fields differ
    considered: int = 0  # (method, via, target) triples looked at before filtering

    @classmethod
    def empty(cls) -> Candidates:
        none = np.array([], np.int64)
        nothing = np.array([], np.float32)
        return cls(none, none, none, nothing, nothing, np.array([], bool))


def content_words(name: str) -> set[str]:
    return {w for w in _WORD.findall(name.lower()) if w not in _FUNCTION_WORDS and len(w) > 2}


def _contains(a: str, b: str) -> bool:
    words_a, words_b = content_words(a), content_words(b)
    return bool(words_a and words_b) and (words_a <= words_b or words_b <= words_a)


def dataset_is_named(name: str) -> bool:
    """A dataset an idea can use is named the way datasets are ("GSM8K", "TruthfulQA",
    "CIFAR-10", "Penn Treebank"); lower-case words typed as datasets ("incidents", "seed",
    "labeled datasets") are descriptions, not something to download."""
    words = name.split()
    return any(is_cased_name(w) or w[:1].isupper() or any(c.isdigit() for c in w) for w in words)


def share_a_word(a: str, b: str) -> bool:
    """Two names with a content word in common ("video LLM", "open-source LLM"), or forms of one
    word ("math problems", "mathematical reasoning"; "medical diagnosis", "diagnostic
    reasoning"), usually name one thing twice or one inside the other."""
    words_a, words_b = content_words(a), content_words(b)
    return bool(words_a & words_b) or any(_one_word(x, y) for x in words_a for y in words_b)


def _one_word(x: str, y: str) -> bool:
    """Forms of one word: one a prefix of the other ("math", "mathematical"), or a long common
    stem ("diagnos-is", "diagnos-tic"); not "transfer" and "transformer"."""
    short, long = sorted((x, y), key=len)
    if len(short) >= 4 and long.startswith(short):
        return True
    common = len(os.path.commonprefix([x, y]))
    return common >= 7


def _allowed(snapshot: Snapshot, query: CandidateQuery) -> np.ndarray:
    history = snapshot.history
    ok = snapshot.papers >= query.min_papers
    ok &= snapshot.papers <= max(GENERIC_SHARE * len(history.paper_keys), HUB_MIN_PAPERS)
    ok &= np.isin(np.asarray(history.concept_kinds), query.kinds or DEFAULT_KINDS)
    ok &= ~np.array(
        [
            phrase_is_generic(n.split(), strict=True) or " ".join(n.lower().split()) in FIELD_NAMES
            for n in history.concept_terms
        ]
    )
    ok &= np.array(
        [
            kind != "dataset" or dataset_is_named(name)
            for name, kind in zip(history.concept_names, history.concept_kinds, strict=True)
        ]
    )
    ok &= ~diffuse(snapshot)
    if query.active_since:
        ok &= snapshot.last_day >= day_number(query.active_since)
    return ok


# A method or task whose papers are hardly more alike than papers drawn at random from their
# fields names no particular thing ("feature selection", "parameter tuning", "thorough
# analysis", "random forest"): its pairs read as filler. On the hindsight graph this judged 32 of
# 200 ideas filler, 2 of them taken up later ("Random forest for binary classification").
# Phenomena and datasets are exempt: a benchmark is used everywhere, and a failure is specific
# however widely it is studied.
DIFFUSE_EXCESS = 0.02
DIFFUSE_MIN_PAPERS = 4  # below this the mean over a few pairs is too noisy to judge


def diffuse(snapshot: Snapshot) -> np.ndarray:
    """Methods and tasks whose papers' mean pairwise cosine exceeds what their fields' papers
    give at random by less than DIFFUSE_EXCESS (`Snapshot.coherence_excess`)."""
    kinds = np.asarray(snapshot.history.concept_kinds)
    judged = (snapshot.papers >= DIFFUSE_MIN_PAPERS) & np.isin(kinds, (METHOD, "task"))
    return judged & (np.nan_to_num(snapshot.coherence_excess, nan=1.0) < DIFFUSE_EXCESS)


def is_attack(name: str) -> bool:
    """Whether a method's name names an attack or a harm ("jailbreak attacks", "membership
    inference", "harmful fine-tuning"): what a defence is tried against. A family of models
    ("large language model") is no intervention either, but no attack."""
    words = _WORD.findall(name.lower()) or [""]
    return (
        words[-1] in ATTACK_HEADS
        or " ".join(words) in ATTACK_NAMES
        or words[0] in THREAT_MODIFIERS
        or (words[0] == "adversarial" and words[-1] in ADVERSARIAL_INPUTS)
    )


# A lone agent noun ("optimizer", "parser", "sampler", "ranker") names a kind of tool, not
# something to try: "An optimizer on ImageNet-1K" led the 54k batch.
LONE_TOOL = re.compile(r"^[a-z][a-z\-]*(er|or)s?$")


# How a study is done, not something a model is given: "literature search" was "used on"
# natural language generation by a review that found its papers with one, and "Literature
# search for semantic similarity" came of it on the 54k graph.
RESEARCH_ACTIVITIES = re.compile(
    r"^(literature|systematic|scoping|narrative) (search|review|survey)s?$|^meta-analys[ie]s$|"
    r"^(user|case|ablation|pilot|field|interview) stud(y|ies)$|^(human|expert) evaluations?$"
)


def is_named_model(name: str) -> bool:
    return bool(NAMED_MODEL.match((name.split() or [""])[-1]))


def interventions(names: list[str]) -> np.ndarray:
    """Whether each name can be an intervention: not a family of models, a named pretrained
    model or a part of one, not a way of doing research (`RESEARCH_ACTIVITIES`), and not an
    attack ("backdoor attacks for video understanding"
    inverts the roles: an attack is what a defence is tried against)."""
    heads = [(_WORD.findall(n.lower()) or [""])[-1] for n in names]
    return np.array(
        [
            head not in MODEL_FAMILY_HEADS
            and not head.endswith(("llm", "llms"))
            and not is_named_model(name)
            and not LONE_TOOL.match(name)
            and not RESEARCH_ACTIVITIES.match(name.lower())
            and not is_attack(name)
            for name, head in zip(names, heads, strict=True)
        ],
        dtype=bool,
    )


# A method named for protecting ("inference-time defense", "safety guardrails", "safety
# fine-tuning") is tried against a threat, not on a task: "training-free defense for visual
# grounding" says nothing.
PROTECTIVE_HEADS = frozenset(
    "defense defence defenses defences guardrail guardrails safeguard safeguards shield "
    "moderation".split()
)
THREAT_STEMS = (
    "jailbreak attack harm toxic unsafe safe adversar backdoor inject poison privacy refusal "
    "misuse deceptive deception hack misalign red-team redteam advbench bias manipulat".split()
)


def protection_fits(methods: list[str], targets: list[str], kinds: list[str]) -> np.ndarray:
    """Whether each method can be tried on the target beside it: a protective method
    (PROTECTIVE_HEADS, or named "safety ...") only on a phenomenon or a threat (THREAT_STEMS)."""
    fits = []
    for method, target, kind in zip(methods, targets, kinds, strict=True):
        words = _WORD.findall(method.lower()) or [""]
        protective = words[-1] in PROTECTIVE_HEADS or words[0] == "safety"
        lowered = target.lower()
        fits.append(
            not protective or kind == "phenomenon" or any(s in lowered for s in THREAT_STEMS)
        )
    return np.array(fits, dtype=bool)


# A failure (a phenomenon, or a seeded attack) is worth fighting only with a method people turn
# against failures: one named in at least this many papers that set out to fight some
# phenomenon (`Snapshot.fight_record`). Closeness in meaning alone offered "Can CLIP address
# reward hacking?", "Can VAE ...", "Can web search ...".
FIGHT_RECORD_MIN = 3
# ... and the record must include a failure like the target: CLIP, named in papers fighting
# hallucinations, was offered against polysemanticity, and model editing against superposition.
# Failures are alike when their centred contexts are closer than FIGHT_LIKENESS_PERCENTILE
# percent of random pairs of the graph's failures are (demo corpus: hallucinations and
# sycophancy 0.31, jailbreak and backdoor 0.54, above the 75th percentile 0.20; hallucinations
# and polysemanticity 0.13, below it).
FIGHT_LIKENESS_PERCENTILE = 75
FIGHT_LIKENESS_MIN_FAILURES = 10  # fewer established phenomena: MIN_FIGHT_LIKENESS instead
MIN_FIGHT_LIKENESS = 0.2


# Phenomena that are no failure: what models have or do, which interpretability and the science
# of deep learning study (superposition, grokking), or what they want more of (monosemanticity).
# "Can unlearning address superposition?" calls them harms; an idea asks what the method does to
# them, or whether it improves them. From the programme's list of phenomena
# (scripts/build_safety_vocabulary.py), by key.
STUDIED_PHENOMENA = frozenset(
    squash(name)
    for name in (
        "superposition", "grokking", "double descent", "induction head", "attention sink",
        "situational awareness", "neural collapse", "emergent ability", "in-context learning",
        "scaling law",
    )
)  # fmt: skip
WANTED_PHENOMENA = frozenset(
    squash(name)
    for name in (
        "monosemanticity", "out-of-distribution generalization", "compositional generalization",
        "length generalization",
    )
)  # fmt: skip
REDUCE, STUDY, IMPROVE = "reduce", "study", "improve"


def phenomenon_aim(key: str) -> str:
    """What an idea on a phenomenon aims at: to reduce a failure, to improve a wanted property,
    or to find out what a method does to one that is neither."""
    if key in STUDIED_PHENOMENA:
        return STUDY
    return IMPROVE if key in WANTED_PHENOMENA else REDUCE


def is_failure(history: History, concepts: np.ndarray) -> np.ndarray:
    """Whether each of `concepts` is something that goes wrong: a phenomenon that ideas aim to
    reduce, or an attack (a method named for one, as a seeded "jailbreak attacks" is)."""
    kinds = np.asarray(history.concept_kinds)[concepts]
    attacks = (kinds == METHOD) & np.array(
        [is_attack(history.concept_terms[int(i)]) for i in concepts], dtype=bool
    )
    reduced = np.array(
        [phenomenon_aim(history.concept_keys[int(i)]) == REDUCE for i in concepts], dtype=bool
    )
    return ((kinds == "phenomenon") & reduced) | attacks


def fight_likeness_floor(snapshot: Snapshot) -> float:
    """The centred context cosine above which two failures are alike: FIGHT_LIKENESS_PERCENTILE
    of random pairs of the graph's established phenomena (a fixed sample, so a batch is
    reproducible), or MIN_FIGHT_LIKENESS where there are too few."""
    if "fight_likeness_floor" not in snapshot.derived:
        kinds = np.asarray(snapshot.history.concept_kinds)
        phenomena = np.flatnonzero((kinds == "phenomenon") & (snapshot.papers >= MIN_PAPERS))
        snapshot.derived["fight_likeness_floor"] = (
            _centred_percentile(snapshot, phenomena, FIGHT_LIKENESS_PERCENTILE)
            if len(phenomena) >= FIGHT_LIKENESS_MIN_FAILURES
            else MIN_FIGHT_LIKENESS
        )
    return snapshot.derived["fight_likeness_floor"]


# A problem most of whose papers name the method, and a small part of the method's literature,
# is the method's own ("feature splitting" in sparse autoencoders' papers, "over-refusal" in
# safety alignment's): fighting it is the method mending itself, no record against failures.
OWN_PROBLEM_SHARE = 0.5
OWN_PROBLEM_PART = 0.5  # of the method's papers, at most


def own_problems(snapshot: Snapshot, methods: np.ndarray, problems: np.ndarray) -> np.ndarray:
    """Whether each problem is its method's own: OWN_PROBLEM_SHARE of its papers name the
    method, and they are at most OWN_PROBLEM_PART of the method's."""
    shared = snapshot.co_mentions(methods, problems)
    papers = snapshot.papers[problems]
    return (shared >= OWN_PROBLEM_SHARE * np.maximum(papers, 1)) & (
        papers <= OWN_PROBLEM_PART * snapshot.papers[methods]
    )


def alike_failures_fought(
    snapshot: Snapshot, method: int, failure: int, floor: float
) -> list[tuple[int, int]]:
    """(phenomenon, papers) for each failure other than `failure` that papers naming `method`
    set out to fight, that is not the method's own (`own_problems`) and that is alike to
    `failure` (centred context cosine at `floor` or more), the most papers first."""
    row = snapshot.fought[method]
    others = row.indices != failure
    others &= ~own_problems(snapshot, np.full(len(row.indices), method), row.indices)
    fought, papers = row.indices[others], row.data[others]
    if not len(fought):
        return []
    centred = snapshot.context_centred
    alike = (centred[fought] @ centred[failure]) >= floor
    fought, papers = fought[alike], papers[alike]
    order = np.argsort(-papers, kind="stable")
    return [(int(p), int(n)) for p, n in zip(fought[order], papers[order], strict=True)]


def fights_alike(
    snapshot: Snapshot, methods: np.ndarray, failures: np.ndarray, floor: float
) -> np.ndarray:
    """Whether each method has a record against failures (FIGHT_RECORD_MIN) that includes one
    alike to the failure beside it (`alike_failures_fought`), in papers that themselves read
    like the failure's (`fight_papers_read_like`)."""
    found = []
    for m, f in zip(methods, failures, strict=True):
        alike = (
            alike_failures_fought(snapshot, int(m), int(f), floor)
            if snapshot.fight_record[m] >= FIGHT_RECORD_MIN
            else []
        )
        found.append(bool(alike) and fight_papers_read_like(snapshot, int(m), int(f), alike, floor))
    return np.array(found, dtype=bool)


def _fighting_papers(snapshot: Snapshot) -> dict[int, np.ndarray]:
    """Each phenomenon's papers of the snapshot that set out to fight it. Computed once per
    snapshot."""
    if "fighting_papers" not in snapshot.derived:
        history = snapshot.history
        fights = history.fights[history.paper_day[history.fights[:, 1]] <= snapshot.day]
        order = np.argsort(fights[:, 0], kind="stable")
        phenomena, starts = np.unique(fights[order, 0], return_index=True)
        groups = np.split(fights[order, 1], starts[1:])
        snapshot.derived["fighting_papers"] = {
            int(p): papers for p, papers in zip(phenomena, groups, strict=True)
        }
    return snapshot.derived["fighting_papers"]


def fight_papers_read_like(
    snapshot: Snapshot, method: int, failure: int, alike: list[tuple[int, int]], floor: float
) -> bool:
    """Whether the papers in which `method` fights the `alike` failures read like those on
    `failure` (their mean embedding, centred as concept contexts are, at `floor` or more): CLIP
    fights hallucinations in vision-language models, which says nothing of sycophancy (0.05 on
    the demo corpus) and something of spurious correlations (0.25)."""
    fighting = _fighting_papers(snapshot)
    history = snapshot.history
    named = history.by_concept.indices[
        history.by_concept.indptr[method] : history.by_concept.indptr[method + 1]
    ]
    papers = np.intersect1d(
        named, np.concatenate([fighting.get(p, np.zeros(0, np.int64)) for p, _ in alike])
    )
    if not len(papers):
        return False
    mean = history.paper_vectors[papers].astype(np.float32).sum(axis=0)
    centred = mean / max(float(np.linalg.norm(mean)), 1e-9) - snapshot.context_offset
    centred /= max(float(np.linalg.norm(centred)), 1e-9)
    return float(centred @ snapshot.context_centred[failure]) >= floor


def methods_against(snapshot: Snapshot, query: CandidateQuery, failure: int) -> np.ndarray:
    """The methods with a record against failures (FIGHT_RECORD_MIN) that papers already mention
    with `failure`, the longest record first: what a seeded batch on it cannot offer as new."""
    is_method, _ = roles(snapshot, query)
    row = snapshot.cooc[failure]
    found = row.indices[
        is_method[row.indices] & (snapshot.fight_record[row.indices] >= FIGHT_RECORD_MIN)
    ]
    return found[np.argsort(-snapshot.fight_record[found], kind="stable")]


def problems_mask(names: list[str], kinds: list[str]) -> np.ndarray:
    """Whether each concept can be a problem: not a task named for a way of working
    (PARADIGM_HEADS). A phenomenon may be ("shortcut learning")."""
    return np.array(
        [
            kind != "task" or not _named_for_a_way_of_working(_WORD.findall(name.lower()))
            for name, kind in zip(names, kinds, strict=True)
        ],
        dtype=bool,
    )


def _named_for_a_way_of_working(words: list[str]) -> bool:
    # "retrieval-augmented generation", "tool-augmented reasoning": a technique, whatever its head
    return not words or words[-1] in PARADIGM_HEADS or "augmented" in words


def _most_active(snapshot: Snapshot, mask: np.ndarray, limit: int) -> np.ndarray:
    """The concepts in `mask` with the most papers, recent ones weighing more."""
    activity = np.log1p(snapshot.papers) * (1 + snapshot.recent)
    pool = np.flatnonzero(mask)
    return pool[np.argsort(-activity[pool])][: max(2 * limit, 40)]


def analogy_strength(analogy: np.ndarray, support: np.ndarray) -> np.ndarray:
    """How telling an analogy is: the target's likeness to the precedent, times how established
    the method is on the precedent (log of the papers stating its use there)."""
    return analogy * np.log1p(support)


def centred_floor(snapshot: Snapshot, problems: np.ndarray) -> float:
    """The centred context cosine that only (100 - ANALOGY_PERCENTILE)% of random pairs of
    `problems` reach (a fixed sample, so a batch is reproducible), or MIN_CENTRED_ANALOGY."""
    if len(problems) < PERCENTILE_MIN_PROBLEMS:
        return MIN_CENTRED_ANALOGY
    return max(MIN_CENTRED_ANALOGY, _centred_percentile(snapshot, problems, ANALOGY_PERCENTILE))


def _centred_percentile(snapshot: Snapshot, concepts: np.ndarray, percentile: float) -> float:
    """A percentile of the centred context cosines of random pairs of `concepts` (a fixed
    sample, so a batch is reproducible)."""
    rng = np.random.default_rng(0)
    a, b = rng.choice(concepts, 20_000), rng.choice(concepts, 20_000)
    distinct = a != b
    centred = snapshot.context_centred
    cosines = np.einsum("ij,ij->i", centred[a[distinct]], centred[b[distinct]])
    return float(np.percentile(cosines, percentile))


def near_floor(snapshot: Snapshot) -> float:
    """The centred context cosine above which a problem is like another for a loose reason:
    NEAR_PERCENTILE of random pairs of the graph's established problems, or 0 where there are
    too few of them (computed once per snapshot)."""
    if "near_floor" not in snapshot.derived:
        groups = problem_groups(snapshot.history)
        problems = np.flatnonzero((groups < len(PROBLEM_GROUP)) & (snapshot.papers >= MIN_PAPERS))
        snapshot.derived["near_floor"] = (
            max(0.0, _centred_percentile(snapshot, problems, NEAR_PERCENTILE))
            if len(problems) >= PERCENTILE_MIN_PROBLEMS
            else 0.0
        )
    return snapshot.derived["near_floor"]


def compatibility_floor(snapshot: Snapshot, is_method: np.ndarray, is_target: np.ndarray) -> float:
    """The raw context cosine between a method and a target that COMPATIBLE_PERCENTILE percent of
    random pairs of the graph's established methods and targets stay below (a fixed sample, so a
    batch is reproducible); 0 where there are too few to sample."""
    established = snapshot.papers >= MIN_PAPERS
    methods = np.flatnonzero(is_method & established)
    targets = np.flatnonzero(is_target & established)
    if len(methods) < PERCENTILE_MIN_PROBLEMS or len(targets) < PERCENTILE_MIN_PROBLEMS:
        return 0.0
    rng = np.random.default_rng(0)
    a, b = rng.choice(methods, 20_000), rng.choice(targets, 20_000)
    cosines = np.einsum("ij,ij->i", snapshot.context[a], snapshot.context[b])
    return float(np.percentile(cosines, COMPATIBLE_PERCENTILE))


def compatible(snapshot: Snapshot, m: np.ndarray, t: np.ndarray, floor: float) -> np.ndarray:
    """Whether each method's papers read like its target's (raw context cosine at `floor` or
    more): the method works with the models and data the target's papers do."""
    return np.einsum("ij,ij->i", snapshot.context[m], snapshot.context[t]) >= floor


def _top_neighbours(row, mask: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The k strongest partners in `mask` of one concept's row of stated uses."""
    indices, weights = row.indices, row.data
    keep = mask[indices]
    indices, weights = indices[keep], weights[keep]
    order = np.argsort(-weights, kind="stable")[:k]
    return indices[order], weights[order]


def _seeds_as_methods(history: History, seeds: np.ndarray) -> np.ndarray:
    """Which seeds take the method's role: methods that can be an intervention. A seed that is
    an attack ("jailbreak attacks") is what the idea defends against, so it is the target."""
    if not len(seeds):
        return np.zeros(0, dtype=bool)
    kinds = np.asarray(history.concept_kinds)[seeds]
    return (kinds == METHOD) & interventions([history.concept_terms[int(i)] for i in seeds])


def roles(snapshot: Snapshot, query: CandidateQuery) -> tuple[np.ndarray, np.ndarray]:
    """Which concepts may be the method (an intervention) and which the target (a problem)."""
    history = snapshot.history
    kinds = np.asarray(history.concept_kinds)
    allowed = _allowed(snapshot, query)
    # An acronym-named node is judged by its long form, save a model named by its checkpoint
    # ("CLIP", whose long form reads like a method).
    is_method = (
        allowed
        & (kinds == METHOD)
        & interventions(history.concept_terms)
        & ~np.array([is_named_model(name) for name in history.concept_names], dtype=bool)
    )
    is_target = (
        allowed
        & np.isin(kinds, TARGET_KINDS)
        & problems_mask(history.concept_terms, history.concept_kinds)
    )
    return is_method, is_target


# A task whose papers are less alike than those of most problems in the graph ("text
# generation", "binary classification", "reranking" on the demo graph) is an area, not a
# problem: "Knowledge editing for reranking" names no question to test. Such a task can still
# be the problem a method is used on, which a target resembles, and a seed.
BROAD_PERCENTILE = 25


def broad_tasks(snapshot: Snapshot, is_target: np.ndarray) -> np.ndarray:
    """Tasks among `is_target` whose `Snapshot.coherence_excess` is below the
    BROAD_PERCENTILE of the targets'."""
    targets = np.flatnonzero(is_target)
    broad = np.zeros(len(is_target), dtype=bool)
    if len(targets) < PERCENTILE_MIN_PROBLEMS:
        return broad
    excess = np.nan_to_num(snapshot.coherence_excess[targets], nan=1.0)
    tasks = np.asarray(snapshot.history.concept_kinds)[targets] == "task"
    broad[targets] = tasks & (excess < np.percentile(excess, BROAD_PERCENTILE))
    return broad


def same_community(snapshot: Snapshot, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether papers name each pair of problems together in SAME_COMMUNITY_SHARE of the
    smaller one's papers."""
    smaller = np.minimum(snapshot.papers[a], snapshot.papers[b])
    return snapshot.co_mentions(a, b) >= SAME_COMMUNITY_SHARE * np.maximum(smaller, 1)


def analogies(snapshot: Snapshot, query: CandidateQuery, *, limit: int) -> Candidates:
    """Candidate (method, target, via) triples; see the module doc. `limit` sizes the pool of
    starting concepts when there are no seeds."""
    history = snapshot.history
    is_method, is_target = roles(snapshot, query)
    # A seed takes part whatever its size or activity.
    seeds = np.array([history.concept_index[s] for s in query.seeds], dtype=np.int64)
    seed_methods = _seeds_as_methods(history, seeds)
    is_method[seeds[seed_methods]] = True
    is_target[seeds[~seed_methods]] = True
    if len(seeds):
        method_sources = seeds[seed_methods]
        target_sources = seeds[~seed_methods]
    else:
        method_sources = _most_active(snapshot, is_method, limit)
        target_sources = _most_active(snapshot, is_target, limit)
    problems = np.flatnonzero(is_target)
    if not len(problems):
        return Candidates.empty()
    # Problems are compared by their centred contexts: the raw ones of one area all read alike.
    context = snapshot.context_centred
    triples: list[tuple[int, int, int]] = []
    # From a method: the problems it is used on, then the problems like them.
    for method in method_sources:
        vias, _ = _top_neighbours(snapshot.uses[method], is_target, VIA_PER_SOURCE)
        if not len(vias):
            continue
        similarity = context[vias] @ context[problems].T
        for row, via in enumerate(vias):
            best = np.argsort(-similarity[row])[: PER_VIA + 1]
            triples += [(int(method), int(problems[j]), int(via)) for j in best]
    # From a target: the problems like it, then the methods used on them.
    for target in target_sources:
        similarity = context[problems] @ context[target]
        for via in problems[np.argsort(-similarity)[: VIA_PER_SOURCE + 1]]:
            if via == target:
                continue
            methods, _ = _top_neighbours(snapshot.uses_by_problem[via], is_method, PER_VIA)
            triples += [(int(m), int(target), int(via)) for m in methods]
    if not triples:
        return Candidates.empty()
    m, t, v = (np.asarray(column, dtype=np.int64) for column in zip(*triples, strict=True))
    considered = len(m)
    analogy = np.einsum("ij,ij->i", snapshot.context[v], snapshot.context[t])
    established = problems[snapshot.papers[problems] >= MIN_PAPERS]
    floor = centred_floor(snapshot, established)
    related = np.einsum("ij,ij->i", context[v], context[t]) >= floor
    group = problem_groups(history)
    # A target named like its precedent, or inside its name ("time series" in "time series
    # prediction"), is the precedent in other words: M on it is done. (Context similarity is
    # no sign of synonymy: related problems' papers read alike.)
    names = history.concept_terms
    same_thing = np.einsum("ij,ij->i", history.vectors[v], history.vectors[t]) >= SYNONYM_COSINE
    same_thing |= np.array([_contains(names[x], names[y]) for x, y in zip(v, t, strict=True)])
    keep = (
        (t != v)
        & (group[t] == group[v])
        & protection_fits(
            [names[x] for x in m], [names[x] for x in t], [history.concept_kinds[x] for x in t]
        )
        & ~snapshot.met_before(m, t)
        & ~same_community(snapshot, v, t)
        & (analogy >= MIN_ANALOGY)
        & related
        & ~same_thing
        & compatible(snapshot, m, t, compatibility_floor(snapshot, is_method, is_target))
    )
    broad = broad_tasks(snapshot, is_target)
    broad[seeds] = False
    keep &= ~(broad[t] & general_purpose(snapshot, is_method, is_target)[m])
    if query.fields:
        wanted = [history.fields.index(f) for f in query.fields if f in history.fields]
        keep &= np.isin(snapshot.main_field[m], wanted) | np.isin(snapshot.main_field[t], wanted)
    m, t, v, analogy = m[keep], t[keep], v[keep], analogy[keep]
    # Three different things: a method sharing a word with its precedent ("jailbreak attacks"
    # used on "jailbreak") or a precedent with the target ("knowledge extraction" for
    # "information extraction") is one thing named twice, not a transfer between communities.
    distinct = np.array(
        [
            not (
                share_a_word(names[x], names[y])
                or share_a_word(names[x], names[z])
                or share_a_word(names[z], names[y])
            )
            for x, y, z in zip(m, t, v, strict=True)
        ],
        dtype=bool,
    )
    m, t, v, analogy = m[distinct], t[distinct], v[distinct], analogy[distinct]
    if not len(m):
        none = Candidates.empty()
        none.considered = considered
        return none
    support = np.asarray(snapshot.uses[m, v]).ravel().astype(np.float32)
    # One triple per (method, target): the most telling via.
    strength = analogy_strength(analogy, support)
    order = np.lexsort((-strength, t, m))
    pair_id = m[order] * len(names) + t[order]
    first = order[np.r_[True, pair_id[1:] != pair_id[:-1]]]
    m, t = m[first], t[first]
    fields = snapshot.main_field
    cross_field = (fields[m] != fields[t]) & (fields[m] >= 0) & (fields[t] >= 0)
    return Candidates(
        m, t, v[first], analogy[first], support[first], cross_field, considered=considered
    )


GENERAL_PURPOSE_PERCENTILE = 90
# A method whose papers are less alike than most methods' ("stochastic gradient descent",
# "greedy algorithm", "reconstruction algorithms" on the 54k graph: each field's papers use it
# for their own ends) is a tool anyone picks up: one more problem for it is routine too.
TOOL_PERCENTILE = 25


def general_purpose(snapshot: Snapshot, is_method: np.ndarray, is_target: np.ndarray) -> np.ndarray:
    """Methods already used with more distinct problems than GENERAL_PURPOSE_PERCENTILE percent
    of the graph's methods ("LoRA", "supervised fine-tuning"): one more task for them is
    routine, not an idea. Direct pairs leave them out; analogies rank them last. A method whose
    kin is one of them ("model finetuning", kin of the hub "fine-tuning") is one too."""
    pool = np.flatnonzero(is_method)
    routine = np.zeros(len(is_method), dtype=bool)
    if len(pool) < PERCENTILE_MIN_PROBLEMS:
        return routine
    problems = np.flatnonzero(is_target)

    def touched(methods: np.ndarray) -> np.ndarray:
        return np.asarray(snapshot.adjacency[methods][:, problems].sum(axis=1)).ravel()

    bar = np.percentile(touched(pool), GENERAL_PURPOSE_PERCENTILE)
    routine[pool] = (touched(pool) > bar) | (touched(snapshot.history.kin[pool]) > bar)
    return routine


def tools(snapshot: Snapshot, is_method: np.ndarray) -> np.ndarray:
    """Methods among `is_method` with DIFFUSE_MIN_PAPERS papers or more whose
    `Snapshot.coherence_excess` is below the TOOL_PERCENTILE of theirs."""
    pool = np.flatnonzero(is_method & (snapshot.papers >= DIFFUSE_MIN_PAPERS))
    found = np.zeros(len(is_method), dtype=bool)
    if len(pool) < PERCENTILE_MIN_PROBLEMS:
        return found
    excess = np.nan_to_num(snapshot.coherence_excess[pool], nan=1.0)
    found[pool] = excess < np.percentile(excess, TOOL_PERCENTILE)
    return found


def routine_methods(snapshot: Snapshot, query: CandidateQuery) -> np.ndarray:
    """`general_purpose` methods and `tools` among those of `query`: one more problem for such a
    method is routine even with a precedent, so their ideas are marked down in the choosing
    order (`ranking.candidate_order`)."""
    is_method, is_target = roles(snapshot, query)
    return general_purpose(snapshot, is_method, is_target) | tools(snapshot, is_method)


def direct_pairs(snapshot: Snapshot, query: CandidateQuery, *, limit: int) -> Candidates:
    """Method-target pairs close in meaning and never mentioned together, with no precedent
    (via is -1): the fallback where the graph holds too few analogies."""
    history = snapshot.history
    is_method, is_target = roles(snapshot, query)
    # The most active of each side: bounds the similarity matrix on a large graph.
    specific = is_method & ~general_purpose(snapshot, is_method, is_target)
    methods = _most_active(snapshot, specific, limit)
    targets = _most_active(snapshot, is_target & ~broad_tasks(snapshot, is_target), limit)
    seeds = np.array([history.concept_index[s] for s in query.seeds], dtype=np.int64)
    as_method = _seeds_as_methods(history, seeds)
    if len(seeds):
        methods = seeds[as_method] if as_method.any() else methods
        targets = seeds[~as_method] if (~as_method).any() else targets
    failures = is_failure(history, targets)
    if len(targets) and failures.all() and not (len(seeds) and as_method.any()):
        # Only failures to fight (a seeded "reward hacking"): draw from the methods that can.
        fighters = specific & (snapshot.fight_record >= FIGHT_RECORD_MIN)
        methods = _most_active(snapshot, fighters, limit)
    if not len(methods) or not len(targets):
        return Candidates.empty()
    similarity = snapshot.context_centred[methods] @ snapshot.context_centred[targets].T
    # Closeness in meaning alone often pairs a problem with what brings it about ("reinforcement
    # fine-tuning" and "reward hacking"), or a task with any method of its area: among the pairs
    # closer than unrelated ones (centred cosine above 0), methods stated to be used on a
    # problem like the target (against it, for a phenomenon) come first.
    first = used_near(snapshot, methods, targets, problem_groups(history)) & (similarity > 0)
    # Half the pool from those, half by closeness alone: a batch needs many methods.
    order = np.argsort(-similarity, axis=None)
    proven = order[first.ravel()[order]][: 20 * limit]
    best = np.concatenate([proven, order[~np.isin(order, proven)][: 40 * limit - len(proven)]])
    rows, cols = np.unravel_index(best, similarity.shape)
    m, t = methods[rows], targets[cols]
    names = history.concept_terms
    keep = (
        ~snapshot.met_before(m, t)
        & np.array(
            [not share_a_word(names[x], names[y]) for x, y in zip(m, t, strict=True)], dtype=bool
        )
        & protection_fits(
            [names[x] for x in m], [names[x] for x in t], [history.concept_kinds[x] for x in t]
        )
        & compatible(snapshot, m, t, compatibility_floor(snapshot, is_method, is_target))
    )
    keep[keep] = ~uses_renamed(snapshot, m[keep], t[keep])
    on_failure = keep & failures[cols]
    keep[on_failure] = fights_alike(
        snapshot, m[on_failure], t[on_failure], fight_likeness_floor(snapshot)
    )
    m, t = m[keep][: 20 * limit], t[keep][: 20 * limit]
    fields = snapshot.main_field
    return Candidates(
        m,
        t,
        np.full(len(m), -1, dtype=np.int64),
        np.einsum("ij,ij->i", snapshot.context[m], snapshot.context[t]),
        np.zeros(len(m), dtype=np.float32),
        (fields[m] != fields[t]) & (fields[m] >= 0) & (fields[t] >= 0),
        considered=len(keep),
    )


def uses_renamed(snapshot: Snapshot, methods: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Whether each method is stated to be used on a problem named like the target ("multi-hop
    question answering" for "multi-hop reasoning", "jailbreak detection" for "jailbreak"): the
    pair is that use in other words, not a new idea."""
    names, problems = snapshot.history.concept_terms, problem_vias(snapshot)
    renamed = np.zeros(len(methods), dtype=bool)
    for i, (method, target) in enumerate(zip(methods, targets, strict=True)):
        used = snapshot.uses[method].indices
        renamed[i] = any(
            share_a_word(names[p], names[target]) for p in used[problems[used]] if p != target
        )
    return renamed


def problem_groups(history: History) -> np.ndarray:
    """Each concept's PROBLEM_GROUP, or len(PROBLEM_GROUP) when it is no problem. Computed once
    per batch: a large graph has hundreds of thousands of concepts."""
    none = len(PROBLEM_GROUP)
    return np.array([PROBLEM_GROUP.get(kind, none) for kind in history.concept_kinds])


def problem_vias(snapshot: Snapshot) -> np.ndarray:
    """Whether each concept can stand behind a loose reason: a problem that could itself be a
    target (not a generic name, a field's name or a hub: "alignment", in 325 demo papers, stood
    behind "preference optimization for image captioning"). Computed once per snapshot."""
    if "problem_vias" not in snapshot.derived:
        _, is_target = roles(snapshot, CandidateQuery())
        snapshot.derived["problem_vias"] = is_target
    return snapshot.derived["problem_vias"]


def used_near(
    snapshot: Snapshot, methods: np.ndarray, targets: np.ndarray, groups: np.ndarray
) -> np.ndarray:
    """(methods, targets) bool: whether each method is stated to be used on a problem of the
    target's sort (`groups`, from `problem_groups`) that is like the target (centred context
    cosine above `near_floor`). Always so for an analogy: its precedent is one."""
    uses = snapshot.uses[methods]
    centred = snapshot.context_centred
    floor, vias = near_floor(snapshot), problem_vias(snapshot)
    near = np.zeros((len(methods), len(targets)), dtype=bool)
    for row in range(len(methods)):
        used = uses.indices[uses.indptr[row] : uses.indptr[row + 1]]
        used = used[vias[used] & (groups[used] < len(PROBLEM_GROUP))]
        if len(used):
            close = (centred[used] @ centred[targets].T) > floor
            near[row] = (close & (groups[used][:, None] == groups[targets][None, :])).any(axis=0)
    return near


def used_near_pairs(snapshot: Snapshot, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """`used_near` for the pairs (a[i], b[i])."""
    groups = problem_groups(snapshot.history)
    out = np.zeros(len(a), dtype=bool)
    for method in np.unique(a):
        rows = np.flatnonzero(a == method)
        out[rows] = used_near(snapshot, np.array([method]), b[rows], groups)[0]
    return out


def closest_use(
    snapshot: Snapshot, method: int, target: int, groups: np.ndarray
) -> tuple[int, float] | None:
    """The problem of the target's sort that a stated use puts `method` on and that resembles
    `target` most, with its centred context cosine; None when none is like it (`near_floor`):
    what puts a direct pair first in `used_near`, said by its writer."""
    used = snapshot.uses[method].indices
    used = used[problem_vias(snapshot)[used] & (groups[used] == groups[target]) & (used != target)]
    if not len(used):
        return None
    centred = snapshot.context_centred
    cosines = centred[used] @ centred[target]
    best = int(np.argmax(cosines))
    return (int(used[best]), float(cosines[best])) if cosines[best] > near_floor(snapshot) else None


def candidates_merge(first: Candidates, then: Candidates) -> Candidates:
    """`first` followed by the pairs of `then` it lacks."""
    seen = set(zip(first.a.tolist(), first.b.tolist(), strict=True))
    new = np.array(
        [(x, y) not in seen for x, y in zip(then.a.tolist(), then.b.tolist(), strict=True)],
        dtype=bool,
    )
    return Candidates(
        *(
            np.concatenate([getattr(first, name), getattr(then, name)[new]])
            for name in ("a", "b", "via", "analogy", "support", "cross_field")
        ),
        considered=first.considered + then.considered,
    )


def pairs_choose(
    a: np.ndarray,
    b: np.ndarray,
    scores: np.ndarray,
    *,
    n: int,
    via: np.ndarray | None = None,
    per_concept: int = USES_PER_CONCEPT,
    seeds: frozenset[int] = frozenset(),
) -> list[int]:
    """Indexes of the `n` best-scored pairs, no concept used more than `per_concept` times, as
    a method, a target or the precedent between them (so no bridge dominates a batch). Seeds
    may take part in every pair: a seeded batch is about them. A score of -inf leaves a pair
    out."""
    used: dict[int, int] = {}
    chosen = []
    for i in np.argsort(-scores, kind="stable"):
        if scores[i] == -np.inf:  # left out by the caller
            break
        roles = [x for x in (int(a[i]), int(b[i])) if x not in seeds]
        if via is not None and via[i] >= 0:
            roles.append(~int(via[i]))  # a precedent counts apart from its uses as a side
        if any(used.get(x, 0) >= per_concept for x in roles):
            continue
        chosen.append(int(i))
        for x in roles:
            used[x] = used.get(x, 0) + 1
        if len(chosen) == n:
            break
    return chosen
