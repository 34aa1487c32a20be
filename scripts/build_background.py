"""Build the background term statistics (data/background_terms.tsv) from the shared arXiv CS
listing: for every word (lower case, singular) in at least MIN_DF abstracts, its document
frequency, how unevenly it is spread over arXiv fields (KL divergence of its primary-category
distribution from the corpus's, in bits), and how often it is used as a verb (the share of its
uses right after "to", a modal, "we", "has", "have" or "been"). Run once by a maintainer; the
output is committed.

Generic words ("model", "accurate", "downstream") are frequent and spread over every field like
the corpus itself; research terms ("hallucination", "superposition") concentrate in a few.

    python scripts/build_background.py --shared ../shared/data --out data
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.text import WORD, singular  # noqa: E402

MIN_DF = 5
# Words after which the next word is a verb: "to mitigate", "can arise", "has received".
VERB_MARKERS = frozenset(
    "to can may might will would could should must cannot we they also often has have had "
    "been".split()
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("data"))
    args = parser.parse_args()
    df: Counter[str] = Counter()
    by_field: dict[str, Counter[str]] = defaultdict(Counter)
    field_docs: Counter[str] = Counter()
    uses: Counter[str] = Counter()
    as_verb: Counter[str] = Counter()
    docs = 0
    with gzip.open(args.shared / "arxiv_cs_2025-03_2026-03.jsonl.gz", "rt") as handle:
        for line in handle:
            paper = json.loads(line)
            field = (paper.get("categories") or ["none"])[0]
            tokens = [m.group(0).lower() for m in WORD.finditer(paper["abstract"])]
            previous = ""
            seen = set()
            for token in tokens:
                word = singular(token)
                seen.add(word)
                uses[word] += 1
                if previous in VERB_MARKERS:
                    as_verb[word] += 1
                previous = token
            docs += 1
            field_docs[field] += 1
            df.update(seen)
            by_field[field].update(seen)
    fields = [f for f, n in field_docs.items() if n >= 50]
    base = {f: field_docs[f] / docs for f in fields}
    rows = []
    for word, n in df.items():
        if n < MIN_DF or len(word) > 40:
            continue
        counts = {f: by_field[f][word] for f in fields}
        total = sum(counts.values()) or 1
        kl = sum((c / total) * math.log2((c / total) / base[f]) for f, c in counts.items() if c)
        rows.append((word, n, kl, as_verb[word] / uses[word]))
    rows.sort(key=lambda row: -row[1])
    out = args.out / "background_terms.tsv"
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(f"# word\tabstracts (of {docs})\tfield KL (bits)\tverb share\n")
        for word, n, kl, verb in rows:
            handle.write(f"{word}\t{n}\t{kl:.2f}\t{verb:.2f}\n")
    print(f"{len(rows):,} words from {docs:,} abstracts -> {out}")


if __name__ == "__main__":
    main()
