"""Build the shipped concept vocabulary (data/vocabulary.tsv) and acronym table
(data/acronyms.tsv) from ../shared/data. Run once by a maintainer; the outputs are committed.

    python scripts/build_vocabulary.py --shared ../shared/data --out data
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.extraction import STOPWORDS, find_acronym_definitions  # noqa: E402
from ingest.text import display_name, squash  # noqa: E402

AMBIGUOUS_SHARE = 0.2  # a second long form this common makes an acronym ambiguous


def _pwc_names(path: Path) -> dict[str, str]:
    kinds: dict[str, str] = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            for name in row["Common Datasets (Top 10)"].split(";"):
                if name.strip():
                    kinds.setdefault(name.strip(), "dataset")
            for name in row["SOTA Metrics"].split(";"):
                if name.strip() and "(" not in name:
                    kinds.setdefault(name.strip(), "metric")
    with open(path.parent / "all_tasks.txt") as handle:
        for line in handle:
            name = line.strip().strip('"')
            # A task name that other tasks list as a dataset or metric is a benchmark or a
            # measure named as a task ("MMLU", "GSM8K", "SSIM"): it keeps that kind.
            if name and "," not in name and len(name) < 60 and name not in kinds:
                kinds[name] = "task"
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("data"))
    args = parser.parse_args()

    with open(args.shared / "concepts" / "science4cast_full_concepts_new.txt") as handle:
        common_words = {line.strip() for line in handle if " " not in line.strip()}
    rows: dict[str, tuple[str, str]] = {}
    for name, kind in _pwc_names(args.shared / "tasks" / "all_tasks_detailed.csv").items():
        # Benchmarks named by an ordinary word ("WORD", "SEED") would match that word anywhere.
        if " " not in name and name.lower() in common_words and kind != "task":
            continue
        if sum(c.isalpha() for c in name) >= 2:
            rows.setdefault(squash(name), (name.lower() if not name.isupper() else name, kind))
    with open(args.shared / "concepts" / "science4cast_full_concepts_new.txt") as handle:
        for line in handle:
            words = line.split()
            # The list holds some phrases clipped from sentences ("although deep ..."): skip
            # entries that start or end with a function word.
            if not words or words[0] in STOPWORDS or words[-1] in STOPWORDS:
                continue
            if sum(c.isalpha() for c in line) < 3:  # "1'\"", "20%": not concepts
                continue
            rows.setdefault(squash(line), (" ".join(words), ""))
    args.out.mkdir(exist_ok=True)
    with open(args.out / "vocabulary.tsv", "w") as out:
        out.write("# name\tkind (empty: decided by the head word)\n")
        for name, kind in sorted(rows.values()):
            out.write(f"{name}\t{kind}\n")

    definitions: dict[str, Counter[str]] = defaultdict(Counter)  # acronym -> long-form keys
    surface: dict[str, Counter[str]] = defaultdict(Counter)  # long-form key -> written forms
    with gzip.open(args.shared / "arxiv_cs_2025-03_2026-03.jsonl.gz", "rt") as handle:
        for line in handle:
            paper = json.loads(line)
            for acronym, long_form in find_acronym_definitions(
                f"{paper['title']}. {paper['abstract']}"
            ):
                definitions[acronym][squash(long_form)] += 1
                surface[squash(long_form)][long_form.lower()] += 1
    with open(args.out / "acronyms.tsv", "w") as out:
        out.write(
            "# acronym\tlong form (empty: the corpus defines it two ways)\tdefinitions seen\n"
        )
        for acronym, counts in sorted(definitions.items()):
            (best, seen), *others = counts.most_common(2)
            total = sum(counts.values())
            # Two readings common enough to meet ("ASR": automatic speech recognition in 201
            # definitions, attack success rate in 62): an undefined use says nothing certain.
            if others and others[0][1] >= 3 and others[0][1] / total >= AMBIGUOUS_SHARE:
                out.write(f"{acronym}\t\t{total}\n")
            # Keep an acronym only where the corpus agrees on what it stands for.
            elif seen >= 3 and seen / total >= 0.6:
                out.write(
                    f"{acronym}\t{display_name(surface[best].most_common(1)[0][0].split())}\t{seen}\n"
                )


if __name__ == "__main__":
    main()
