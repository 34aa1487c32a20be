"""Small text helpers shared by extraction and the vocabulary builder."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# A decimal point between digits stays inside a word: "Claude-3.5-Sonnet", "GPT-3.5" (cut at
# the point they became "5-sonnet" and "GPT-3"). Written as a loop that tries the point only
# where one stands: an alternation per character made tokenising 1.6x slower.
WORD = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9\-+'/]*(?:(?<=\d)\.(?=\d)[A-Za-z0-9\-+'/]*)*[A-Za-z0-9+])?"
)
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# The helpers below are pure and called for every word of every paper (a million calls per 2,000
# papers), on a vocabulary that repeats: memoised, they take a fifth of extraction's time less.
WORD_CACHE_SIZE = 1 << 17

# Words whose plural-looking ending is not a plural.
_KEEP_S = {
    "series", "species", "means", "news", "lens", "gas", "bus", "plus", "thesis", "chaos",
    "bias", "basis", "analysis", "synthesis", "hypothesis", "diagnosis", "axis", "class",
    "loss", "process", "access", "less", "corpus", "consensus", "status", "virus", "radius",
    "focus", "calculus", "nexus", "campus", "census", "stimulus", "locus", "modulus", "genus",
    "atlas", "canvas", "alias", "has", "was", "is", "its", "this", "us", "does", "ras",
    "sars", "aids", "dos", "jais",
}  # fmt: skip


@lru_cache(maxsize=WORD_CACHE_SIZE)
def singular(word: str) -> str:
    """Singular of an English plural noun, by rule; leaves other words alone."""
    w = word.lower()
    if len(w) <= 3 or w in _KEEP_S or not w.endswith("s") or w.endswith(("ss", "us", "is")):
        return word
    if w.endswith("ics") and w not in {"metrics", "heuristics", "topics", "characteristics"}:
        return word
    stem = w[:-2]
    if w.endswith("es") and len(w) > 5 and (stem in _KEEP_S or stem + "is" in _KEEP_S - {"basis"}):
        return word[:-2] if stem in _KEEP_S else word[:-2] + "is"  # biases, analyses
    if w.endswith("ies") and len(w) > 4:
        return word[:-3] + "y"
    if w.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1]


_OF = {"of", "for"}


@lru_cache(maxsize=WORD_CACHE_SIZE)
def squash(phrase: str) -> str:
    """Identity key of a phrase: lower case, the head noun singular, no spaces or hyphens, so that
    'sparse auto-encoders' and 'Sparse Autoencoder' share one key, and so do 'chains of thought'
    and 'chain-of-thought' (before "of" or "for" the head is the word in front of it)."""
    words = phrase.lower().replace("-", " ").split()
    if not words:
        return ""
    words[-1] = singular(words[-1])
    for i in range(1, len(words) - 1):
        if words[i] in _OF:
            words[i - 1] = singular(words[i - 1])
    return _NON_ALNUM.sub("", "".join(words))


_CAMEL = re.compile(r"[a-z0-9][A-Z]")
SLIPPED_TAIL = 6


@lru_cache(maxsize=WORD_CACHE_SIZE)
def is_cased_name(word: str) -> bool:
    """A word whose capitals carry meaning: an acronym (DPO, GPT-4o, LLMs) or a camel-case name
    (TruthfulQA, ImageNet, nuScenes); not a shouted or mistyped word ("HAllucination")."""
    if word[:1].islower() and any(c.isupper() for c in word[1:]):
        return True  # nuScenes, iNaturalist, vLLM: no sentence starts in lower case
    letters = [c for c in word if c.isalpha()]
    if sum(c.isupper() for c in letters) < 2:
        return False
    if _CAMEL.search(word):
        return True
    upper_run = len(word) - len(word.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"))
    if upper_run >= len(word.rstrip("s")) - 1:
        return True  # all capitals, perhaps a plural "s"
    # A run of capitals, then lower case: a name (MMBench, VBench, IFEval, DBpedia), or the
    # shift key held a letter too long ("HAllucination": two capitals, a long lower-case tail).
    # A hyphen joins words, each capitalised in a title ("Multi-Agent", "AI-Generated"): no name.
    if "-" in word or upper_run < 2:
        return False
    return not (upper_run == 2 and len(word) - upper_run >= SLIPPED_TAIL)


@cache
def proper_nouns() -> dict[str, str]:
    """Words that abstracts capitalise in mid-sentence nearly always (Gaussian, Monte, Carlo,
    Thompson, Reddit), lower case to shown form; built by scripts/build_proper_nouns.py."""
    path = DATA_DIR / "proper_nouns.tsv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8") as handle:
        rows = (line.split("\t", 1)[0] for line in handle if not line.startswith("#"))
        return {word.lower(): word for word in rows}


def shown_case(word: str) -> str:
    """A word as a concept's name shows it: acronyms and camel-case names as written, proper
    nouns capitalised ("Thompson sampling"), every other word in lower case."""
    if is_cased_name(word):
        return word
    lowered = word.lower()
    return proper_nouns().get(lowered, lowered)


def display_name(words: list[str]) -> str:
    """Display form: lower case except acronyms, camel-case names and proper nouns, single
    spaces, last word singular."""
    out = [shown_case(w) for w in words]
    out[-1] = singular(out[-1])
    return " ".join(out)
