"""Is a phrase a research concept, or a generic expression of scientific prose?

A lone generic word ("query", "model") or a generic head with only generic modifiers ("accurate
model", "downstream task", "input image", "benchmark data set") is not a concept: it may stay in
the text, but it never becomes a graph node. Two signals decide, together:

- the head: a short list of nouns that name no particular thing (model, task, method, data, ...);
- the modifiers: how a word behaves in the background corpus (the 54,002-abstract arXiv CS
  listing, `data/background_terms.tsv`, built by `scripts/build_background.py`). A word used in
  many abstracts and spread over arXiv fields like the corpus itself (low KL divergence from the
  corpus's field distribution) is generic ("accurate", "downstream", "complex"); a research term
  concentrates in a few fields ("hallucination", "multi-agent", "language"). A few modifiers that
  the statistics miss ("training-free", "open-source") are listed by hand.

The same table says how often a word is used as a verb (right after "to", a modal or "we"), which
cuts clause fragments back to their concept ("mitigate reward hacking" -> "reward hacking").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from ingest.text import DATA_DIR, WORD_CACHE_SIZE, is_cased_name, singular

# Heads that name no particular thing on their own.
GENERIC_HEADS = frozenset(
    """model method approach technique framework system task problem data dataset set benchmark
    image input output query sample example feature result performance setting module component
    mechanism strategy scheme pipeline architecture solution tool process procedure algorithm
    application scenario case llm content way design analysis study investigation assessment
    overview survey prediction collection""".split()
)
# Heads that make a concept of their own with a specific modifier ("mathematical reasoning",
# "federated learning") but, with only generic or broad ones ("complex reasoning", "adaptive
# learning", "next generation"), are too broad to build an idea on: `strict` only.
BROAD_HEADS = frozenset(
    """reasoning learning generation search policy inference understanding verification
    reconstruction knowledge alignment""".split()
)
BROAD_MODIFIERS = frozenset(
    """adaptive stable optimal deep next structured semantic interpretable contextual
    dynamic world multimodal multi-modal automated automatic precise gradient-based
    fine-grained early error quality mechanistic layer-wise""".split()
)
# Words that grade a thing rather than name one ("genuine reasoning", "thorough analysis",
# "increasingly complex tasks", "harder problems"): whatever the head, they add no subject, so
# with only these and generic modifiers a phrase is too broad for an idea's side (`strict`).
GRADING_MODIFIERS = frozenset(
    """genuine transparent human-like thorough granular reliable harder hard increasingly
    precise autonomous truly highly better faithful nuanced deeper richer""".split()
)
# Heads of ways of working that many fields share ("automated detection", "precise control",
# "gradient-based optimization", "mechanistic analysis", "quality control"): too broad for an
# idea's side when every modifier is a listed generic or broad one. The background statistics
# do not decide here: words common across fields also make specific ones ("prompt
# optimization", "graph matching").
PLAIN_HEADS = frozenset(
    "detection control matching optimization analysis manipulation interpretation".split()
)
# A hyphenated modifier standing alone ("privacy-preserving", "model-agnostic") has lost its
# head: as an idea's side it names nothing (`strict` only).
HEADLESS_MODIFIER = re.compile(
    r"-(preserving|based|aware|driven|free|agnostic|specific|efficient|guided|oriented|level|"
    r"scale|centric|intensive|constrained|enhanced|augmented|tuned|trained)$",
    re.IGNORECASE,
)
# Words that name nothing alone but head real terms ("question answering", "instruction
# following"): generic only when they stand alone.
LONE_FRAGMENTS = frozenset(
    """answering following making solving taking diagnostic understanding modeling modelling
    processing detector heuristic""".split()
)
# Modifiers the background statistics do not flag but that add nothing to a head.
GENERIC_MODIFIERS = frozenset(
    """training-free open-source open-weight off-the-shelf state-of-the-art sota pre-trained
    pretrained proposed existing novel new general generic standard typical simple efficient
    effective robust strong weak small large larger smaller big bigger high low higher lower
    various diverse different specific particular several multiple single unified end-to-end
    real-world real world practical modern advanced powerful complex challenging closed-source
    proprietary commercial theoretical empirical systematic comprehensive detailed comparative
    quantitative qualitative accurate benign""".split()
)
# Trailing heads that only say "a way of doing" the rest: "hallucination detection method" is
# the concept "hallucination detection".
# Terms of art built only from words that are generic elsewhere: "world" is generic in "real
# world scenarios", but a world model is a thing (464 of the 54k abstracts name one).
TERMS_OF_ART = frozenset({("world", "model"), ("world", "modeling"), ("world", "modelling")})
REDUNDANT_TAILS = frozenset(
    """method approach technique framework strategy scheme pipeline methodology paradigm
    mechanism""".split()
)

MIN_GENERIC_ABSTRACTS = 300  # a word this common ...
MAX_GENERIC_KL = 0.16  # ... and spread over fields like the corpus (bits) is generic
# A word used as a verb this often is cut from the end of a name ("reward hacking arise"); at
# the start it takes more ("jailbreak attack" keeps "jailbreak", used as a verb 10% of the
# time), unless it has a third-person -s ("corrects reward hacking").
VERB_SHARE = 0.1
LEADING_VERB_SHARE = 0.2


@dataclass(frozen=True)
class WordStats:
    abstracts: int
    field_kl: float
    verb_share: float


@cache
def background() -> dict[str, WordStats]:
    stats = {}
    path = DATA_DIR / "background_terms.tsv"
    if not path.exists():
        return stats
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            word, abstracts, kl, verb = line.rstrip("\n").split("\t")
            stats[word] = WordStats(int(abstracts), float(kl), float(verb))
    return stats


@cache
def curated_phenomena() -> frozenset[str]:
    """Single-word phenomena of the safety vocabulary (hallucination, sycophancy, grokking)."""
    path = DATA_DIR / "safety_vocabulary.tsv"
    if not path.exists():
        return frozenset()
    words = set()
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            name, _, kind = line.rstrip("\n").partition("\t")
            if kind == "phenomenon" and len(name.split()) == 1:
                words.add(_norm(name))
    return frozenset(words)


def _norm(word: str) -> str:
    return singular(word.lower())


def _lone_and_common(word: str) -> bool:
    """A lone lower-case word found in many abstracts ("defense", "decoding", "attacks") names a
    whole area, not something to build an idea on; rarer ones ("sycophancy", "unlearning") do.
    Curated phenomena stay whatever their frequency ("hallucination")."""
    w = _norm(word)
    if w in curated_phenomena():
        return False
    stats = background().get(w) or background().get(w.removesuffix("s"))
    return stats is not None and stats.abstracts >= MIN_GENERIC_ABSTRACTS


def word_is_generic(word: str) -> bool:
    w = _norm(word)
    if w in GENERIC_MODIFIERS or w in GENERIC_HEADS:
        return True
    stats = background().get(w)
    return (
        stats is not None
        and stats.abstracts >= MIN_GENERIC_ABSTRACTS
        and stats.field_kl < MAX_GENERIC_KL
    )


@lru_cache(maxsize=WORD_CACHE_SIZE)
def word_is_verb(word: str, *, leading: bool = False) -> bool:
    stats = background().get(_norm(word)) or background().get(word.lower())
    if stats is None:
        return False
    if leading and not word.lower().endswith("s"):
        return stats.verb_share >= LEADING_VERB_SHARE
    return stats.verb_share >= VERB_SHARE


def phrase_is_generic(words: list[str], *, strict: bool = False) -> bool:
    """True for a generic head with only generic modifiers, or a lone generic head. `strict`
    also counts a lone word that the background statistics call generic ("classification",
    "embedding", "diversity"): such words are kept as concepts (they are what a text mentions)
    but are too broad to build an idea or a summary on."""
    if not words:
        return True
    if any(
        (is_cased_name(w) or any(c.isdigit() for c in w)) and _norm(w) not in GENERIC_HEADS
        for w in words
    ):
        return False  # a name (GPT-4o, TruthfulQA, DPO) is never generic; "LLMs" alone can be
    if tuple(_norm(w) for w in words[-2:]) in TERMS_OF_ART:
        return False
    if len(words) == 1 and _norm(words[0]) in LONE_FRAGMENTS:
        return True
    if len(words) == 1 and strict:
        return (
            word_is_generic(words[0])
            or _lone_and_common(words[0])
            or bool(HEADLESS_MODIFIER.search(words[0]))
        )
    head = _norm(words[-1])
    modifiers = [_norm(w) for w in words[:-1]]
    if strict and head in BROAD_HEADS:
        return all(
            word_is_generic(w) or w in BROAD_MODIFIERS or w in GRADING_MODIFIERS for w in modifiers
        )
    if (
        strict
        and head in PLAIN_HEADS
        and all(w in GENERIC_MODIFIERS | BROAD_MODIFIERS | GRADING_MODIFIERS for w in modifiers)
    ):
        return True
    if (
        strict
        and head in GENERIC_HEADS
        and any(w in GRADING_MODIFIERS for w in modifiers)
        and all(word_is_generic(w) or w in GRADING_MODIFIERS for w in modifiers)
    ):
        return True
    if head == "set" and len(words) > 1 and _norm(words[-2]) == "data":
        words, head = words[:-1], "dataset"
    return head in GENERIC_HEADS and all(word_is_generic(w) for w in words[:-1])


def phrase_core(words: list[str]) -> list[str]:
    """The concept inside a phrase: leading and trailing verbs cut ("mitigate reward hacking",
    "reward hacking arise"), and a redundant tail dropped ("hallucination detection method")."""
    while len(words) > 1 and (
        words[0].lower().endswith("'s") or word_is_verb(words[0], leading=True)
    ):
        words = words[1:]
    while len(words) > 1 and word_is_verb(words[-1]):
        words = words[:-1]
    if len(words) > 1 and _norm(words[-1]) in REDUNDANT_TAILS and not phrase_is_generic(words[:-1]):
        words = words[:-1]
    return words
