"""When two concept names are one concept written two ways.

The embedding finds names that read alike, but alike is not the same: "GPT-3" and "GPT-4",
"safe queries" and "unsafe queries", "optimal policy" and "policy optimization" sit above 0.85
cosine. So names are grouped by their words first, and a group merges only where the embedding
agrees (`concepts_merge_variants`). Two names are one concept when they have

- the same content words, up to inflection, spelling, order and linking words ("jailbreaking
  attacks" / "jailbreak attacks", "detecting hate speech" / "hate speech detection",
  "reinforcement learning from / with human feedback", "defence" / "defense");
- or one adds only a word that names no particular thing ("deep reinforcement learning
  algorithms", "multi-step reasoning tasks", "average attack success rate").

Names with capitals or digits ("ImageNet-A", "Gemma-2-2B", "GPT-4o") are compared whole.
"""

from __future__ import annotations

import re
from collections import Counter

from ingest.text import is_cased_name, singular

LINKING_WORDS = frozenset("a an the of for with from to in on by and as via".split())
_ARTICLES = frozenset("a an the".split())
# Words whose addition leaves the concept as it was. Deliberately short: "large", "small",
# "full", "online", "benchmark" or "detection" make another concept.
EMPTY_ADDITIONS = frozenset(
    "model algorithm system method approach technique framework task dataset average overall "
    "real-world".split()
)
# Inflections and derivations that keep the concept ("jailbreaking", "mitigation", "robotic",
# "explicitly"). Not "-er" (a decoder is not decoding) nor "-al" (optimal is not optimization).
_SUFFIXES = ("ational", "ization", "ation", "ition", "ingly", "ness", "ing", "ion", "ed", "ly",
             "ic")  # fmt: skip
_MIN_STEM = 4
# British spellings, written the American way before comparing.
_SPELLING = ((re.compile(r"isation$"), "ization"), (re.compile(r"is(e|ed|ing)$"), r"iz\1"),
             (re.compile(r"ys(e|ed|ing)$"), r"yz\1"), (re.compile(r"our$"), "or"),
             (re.compile(r"ence$"), "ense"), (re.compile(r"ll(ing|ed)$"), r"l\1"))  # fmt: skip


def stem(word: str) -> str:
    w = singular(word.lower())
    for pattern, replacement in _SPELLING:
        w = pattern.sub(replacement, w)
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= _MIN_STEM:
            return w[: -len(suffix)]
    return w


def _tokens(name: str) -> list[tuple[str, str]]:
    """(stem, word) of each content word. A hyphenated compound is one token whose parts keep
    their order ("right-to-left" is not "left-to-right"); a name with capitals or digits is
    compared whole ("ImageNet-A" is not "ImageNet", "STREAM" not "streaming")."""
    tokens = []
    for word in name.split():
        lower = word.lower()
        if is_cased_name(word) or any(c.isdigit() for c in word):
            tokens.append(("=" + lower, lower))
        elif lower in EMPTY_ADDITIONS or "-" not in lower:
            if lower not in LINKING_WORDS:
                tokens.append((lower if lower in EMPTY_ADDITIONS else stem(lower), lower))
        else:
            parts = [stem(p) for p in lower.split("-") if p and p not in _ARTICLES]
            tokens.append(("-".join(parts), lower))
    return tokens


def _core(stems: list[str]) -> list[str]:
    core = [t for t in stems if t not in EMPTY_ADDITIONS]
    return core if core else stems


def variant_signature(name: str) -> tuple[str, ...]:
    """Names with one signature may be one concept: their core words, sorted."""
    return tuple(sorted(_core([t for t, _ in _tokens(name)])))


def _same_order(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> bool:
    """One arrangement of the same words: the same head (the last word), or a verb moved from
    the front to a noun at the end ("detecting hate speech" / "hate speech detection"). Not
    "model reasoning" / "reasoning models", nor "text alignment" / "alignment text"."""
    if a[-1][0] == b[-1][0]:
        return True
    for x, y in ((a, b), (b, a)):
        if x[0][0] == y[-1][0] and x[0][1] != y[-1][1] and x[0][1].endswith("ing"):
            return True
    return False


def variant_reason(name: str, other: str) -> str | None:
    """Why `name` may be `other` written another way, in words a person can check; None if it
    may not. Whether the embedding agrees is for the caller to judge."""
    a, b = _tokens(name), _tokens(other)
    if not a or not b:
        return None
    sa, sb = [t for t, _ in a], [t for t, _ in b]
    if sorted(_core(sa)) != sorted(_core(sb)):
        return None
    if sorted(sa) == sorted(sb):
        return "same words" if _same_order(a, b) else None
    short, long = (sa, sb) if len(sa) < len(sb) else (sb, sa)
    if set(short) - set(long):
        return None  # each adds its own word ("vision systems" / "vision models")
    extra = list((Counter(long) - Counter(short)).elements())
    # The added word stands at an end: "policy gradient algorithm", "average accuracy"; in the
    # middle it changes what is named ("reward model accuracy" is not "reward accuracy").
    if not all(t in (long[0], long[-1]) for t in extra):
        return None
    return "adds only " + ", ".join(f"'{t}'" for t in sorted(set(extra)))
