"""Concept extraction quality on SciERC dev, as issue 2 defines it.

For each abstract, the set of predicted concept names is compared with the gold Task, Method,
Metric and Material strings. A prediction is correct when its lower-cased word set has Jaccard
>= 0.5 with some gold string; a gold string is found likewise. Precision and recall are micro
averages over all abstracts. YAKE (top 10 phrases, the common setting) is the reference.

    python bench/bench_extraction.py [--split dev] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.extraction import Extractor  # noqa: E402

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
GOLD_TYPES = {"Task", "Method", "Metric", "Material"}


def load_scierc(split: str) -> list[tuple[str, set[str]]]:
    docs = []
    with open(SHARED / "extraction" / "scierc" / f"{split}.json") as handle:
        for line in handle:
            doc = json.loads(line)
            tokens = [t for sentence in doc["sentences"] for t in sentence]
            gold = {
                " ".join(tokens[start : end + 1])
                for sentence in doc["ner"]
                for start, end, label in sentence
                if label in GOLD_TYPES
            }
            docs.append((_detokenize(" ".join(tokens)), {_detokenize(g) for g in gold}))
    return docs


# SciERC keeps the Penn Treebank escapes for brackets; the original text has the brackets.
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


def _detokenize(text: str) -> str:
    for escape, bracket in _PTB.items():
        text = text.replace(escape, bracket)
    return text


def _words(phrase: str) -> frozenset[str]:
    return frozenset(phrase.lower().replace("-", " ").split())


def _matches(phrase: str, others: list[frozenset[str]]) -> bool:
    words = _words(phrase)
    return any(len(words & o) / len(words | o) >= 0.5 for o in others if words | o)


def score(docs: list[tuple[str, set[str]]], predict) -> dict[str, float]:
    correct = predicted = found = gold_total = 0
    for text, gold in docs:
        names = set(predict(text))
        gold_words = [_words(g) for g in gold]
        name_words = [_words(n) for n in names]
        correct += sum(_matches(n, gold_words) for n in names)
        found += sum(_matches(g, name_words) for g in gold)
        predicted += len(names)
        gold_total += len(gold)
    precision = correct / predicted if predicted else 0.0
    recall = found / gold_total if gold_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted": predicted,
            "gold": gold_total}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", default="dev", choices=["train", "dev"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    docs = load_scierc(args.split)
    extractor = Extractor()
    started = time.perf_counter()
    ours = score(docs, lambda text: [c.name for c in extractor.extract(text)])
    ours["ms_per_abstract"] = 1000 * (time.perf_counter() - started) / len(docs)
    results = {"split": args.split, "abstracts": len(docs), "ideagraph": ours}
    # The same predictions named by their first mention as written, not their canonical name:
    # shows what canonicalisation (singular forms, acronyms -> long forms) costs on this metric.
    results["ideagraph_surface"] = score(
        docs,
        lambda text: [text[c.spans[0][0] : c.spans[0][1]] for c in extractor.extract(text)],
    )
    try:
        import yake

        kw = yake.KeywordExtractor(lan="en", n=3, top=10)
        results["yake_top10"] = score(docs, lambda text: [k for k, _ in kw.extract_keywords(text)])
    except ImportError:
        pass
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name in ("ideagraph", "ideagraph_surface", "yake_top10"):
        if name in results:
            r = results[name]
            print(f"{name:<18} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}"
                  f"  ({r['predicted']} predicted, {r['gold']} gold)")  # fmt: skip


if __name__ == "__main__":
    main()
