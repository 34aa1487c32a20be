"""Build the safety, alignment and interpretability vocabulary (data/safety_vocabulary.tsv) from
the shared AI-safety reading lists: the keywords of the Awesome-LLM-Safety list (named by at
least MIN_PAPERS papers), plus the phenomena the programme studies, listed by hand below. Run
once by a maintainer; the output is committed.

A name in this vocabulary is always a concept (never judged generic) and keeps its kind; keywords
that are generic by ingest.termhood ("benchmark datasets") are left out.

    python scripts/build_safety_vocabulary.py --shared ../shared/data --out data
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.extraction import kind_of  # noqa: E402
from ingest.termhood import phrase_is_generic  # noqa: E402
from ingest.text import squash  # noqa: E402

MIN_PAPERS = 2
# What models do or suffer, which methods target: the objects of safety and interpretability
# research. Named in the reading lists' topics and keywords; kind "phenomenon".
PHENOMENA = """hallucination; jailbreak; reward hacking; reward overoptimization; sycophancy;
    superposition; polysemanticity; monosemanticity; feature splitting; deception;
    deceptive alignment; alignment faking; scheming; sandbagging; situational awareness;
    power-seeking; goal misgeneralization; specification gaming; emergent misalignment;
    misalignment; catastrophic forgetting; memorization; data contamination; mode collapse;
    model collapse; grokking; double descent; shortcut learning; spurious correlation;
    distribution shift; over-refusal; prompt injection; backdoor; data poisoning;
    privacy leakage; toxicity; social bias; gender bias; misinformation; hallucination snowballing;
    steganography; collusion; unfaithful reasoning; chain-of-thought unfaithfulness;
    adversarial example; adversarial vulnerability; out-of-distribution generalization;
    dead latent; attention sink; induction head""".split(";")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("data"))
    args = parser.parse_args()
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    key_words: dict[str, list[str]] = {}
    with open(args.shared / "safety" / "awesome_llm_safety_ydyjya.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            for name in row["keywords"].split("&"):
                name = name.strip().strip("*").strip()
                if 2 < len(name) <= 60 and not any(c in name for c in "()/:,"):
                    counts[squash(name)] += 1
                    forms.setdefault(squash(name), Counter())[name] += 1
                    key_words.setdefault(squash(name), name.split())
    rows = {squash(p.strip()): (p.strip(), "phenomenon") for p in PHENOMENA if p.strip()}
    for key, n in counts.items():
        if n >= MIN_PAPERS and key not in rows and not phrase_is_generic(key_words[key]):
            name = forms[key].most_common(1)[0][0]
            kind = kind_of(key, name.split(), _NoVocabulary())
            rows[key] = (name, "" if kind == "other" else kind)
    out = args.out / "safety_vocabulary.tsv"
    with open(out, "w", encoding="utf-8") as handle:
        handle.write("# name\tkind (empty: decided by the head word)\n")
        for name, kind in sorted(rows.values(), key=lambda row: row[0].lower()):
            handle.write(f"{name}\t{kind}\n")
    print(f"{len(rows):,} names -> {out}")


class _NoVocabulary:
    kinds: dict[str, str] = {}


if __name__ == "__main__":
    main()
