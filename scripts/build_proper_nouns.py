"""Build the table of proper nouns (data/proper_nouns.tsv) from the shared arXiv CS listing:
every word that abstracts write with a capital in the middle of a sentence nearly always
(Gaussian, Monte Carlo, Thompson, Kullback-Leibler, Reddit, Wikipedia, Mamba, X-ray), with how
often it stands there and the share of those uses that are capitalised. Concept names keep these
capitals ("Thompson sampling", not "thompson sampling"); other words are shown in lower case
unless they are acronyms or camel-case names. Run once by a maintainer; the output is committed.

A word at the start of a sentence, or after a colon, bracket or quote, says nothing about its
case and is not counted. A capital that authors add to a long form ("Large Language Models
(LLMs)") is common but not the rule, so such words stay below the share.

    python scripts/build_proper_nouns.py --shared ../shared/data --out data
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.text import WORD  # noqa: E402

MIN_USES = 10  # mid-sentence uses
MIN_ABSTRACTS = 5
MIN_CAPITAL_SHARE = 0.9
SENTENCE_OPENERS = ".!?:;\"'(["


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("data"))
    args = parser.parse_args()
    capitalised: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    abstracts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)  # capitalised forms as written
    docs = 0
    with gzip.open(args.shared / "arxiv_cs_2025-03_2026-03.jsonl.gz", "rt") as handle:
        for line in handle:
            text = json.loads(line)["abstract"]
            seen = set()
            for match in WORD.finditer(text):
                word = match.group(0)
                before = text[: match.start()].rstrip()
                if not word[0].isalpha() or not before or before[-1] in SENTENCE_OPENERS:
                    continue
                lowered = word.lower()
                uses[lowered] += 1
                # "Gaussian", "X-ray", "F1-score", "Kahneman-Tversky"; not "LLMs" or "ImageNet"
                # (acronyms and camel-case names keep their case by rule)
                if (word[0].isupper() and word[1:].islower()) or all(
                    part[:1].isupper() and part[1:].islower() for part in word.split("-")
                ):
                    capitalised[lowered] += 1
                    forms[lowered][word] += 1
                seen.add(lowered)
            abstracts.update(seen)
            docs += 1
    rows = [
        (forms[word].most_common(1)[0][0], uses[word], capitalised[word] / uses[word])
        for word in uses
        if len(word) > 1
        and uses[word] >= MIN_USES
        and abstracts[word] >= MIN_ABSTRACTS
        and capitalised[word] / uses[word] >= MIN_CAPITAL_SHARE
    ]
    rows.sort(key=lambda row: (-row[1], row[0]))
    out = args.out / "proper_nouns.tsv"
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(f"# word\tmid-sentence uses (in {docs} abstracts)\tcapitalised share\n")
        for word, n, share in rows:
            handle.write(f"{word}\t{n}\t{share:.3f}\n")
    print(f"{len(rows):,} proper nouns from {docs:,} abstracts -> {out}")


if __name__ == "__main__":
    main()
