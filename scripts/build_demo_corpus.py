"""Build data/demo_papers.jsonl.gz, the AI-safety demo corpus, from ../shared/data:
the arXiv papers of the alignment Zotero export (with their abstracts), the papers of the
LLM-safety and interpretability reading lists that appear in the shared arXiv listing file, and
the listing's papers whose title names a topic of the programme (sparse autoencoders, model
editing, reward hacking, ...; TOPICS below).

Every paper has a field. The Zotero export has no arXiv categories, so a paper from it gets the
primary category most common among its 15 nearest listing papers (TF-IDF cosine of title and
abstract), marked `"category_inferred": true`.

    python scripts/build_demo_corpus.py --shared ../shared/data --out data/demo_papers.jsonl.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.records import InvalidRecord, parse_arxiv_id  # noqa: E402
from ingest.sources.files import _csv_row_to_mapping  # noqa: E402

# Title phrases of the programme's topics: interpretability (sparse autoencoders first), model
# editing, and the safety phenomena it studies.
TOPICS = re.compile(
    r"\b(sparse auto-?encoders?|saes?|dictionary learning|superposition|monosemantic\w*|"
    r"polysemantic\w*|mechanistic interpretability|steering vectors?|activation steering|"
    r"representation engineering|model editing|knowledge editing|locate-then-edit|memit|rome|"
    r"machine unlearning|reward hacking|reward models?|sycophan\w*|deceptive|deception|"
    r"alignment faking|scheming|sandbagging|jailbreak\w*|red[- ]teaming|misalign\w*|"
    r"goal misgeneralization|specification gaming)\b",
    re.IGNORECASE,
)
NEIGHBOURS = 15


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path("../shared/data"))
    parser.add_argument("--out", type=Path, default=Path("data/demo_papers.jsonl.gz"))
    args = parser.parse_args()
    papers: dict[str, dict] = {}

    with open(args.shared / "safety" / "tai_safety_ai-alignment-papers.csv", newline="") as f:
        for row in csv.DictReader(f):
            data = _csv_row_to_mapping(row)
            if data["id"] and data["abstract"] and data["title"]:
                try:
                    arxiv_id, _ = parse_arxiv_id(data["id"])
                except InvalidRecord:
                    continue
                papers[arxiv_id] = {
                    "id": arxiv_id,
                    "title": data["title"],
                    "abstract": data["abstract"],
                    "authors": data["authors"],
                    "categories": [],
                    "published": data["published"] or None,
                    "source": "alignment-zotero",
                }

    wanted: set[str] = set()
    with open(args.shared / "safety" / "awesome_llm_safety_ydyjya.csv", newline="") as f:
        wanted.update(row["arxiv_id"].strip() for row in csv.DictReader(f))
    for path in (args.shared / "safety").glob("ids_*.txt"):
        wanted.update(line.strip() for line in path.read_text().splitlines() if line.strip())
    listing = []
    with gzip.open(args.shared / "arxiv_cs_2025-03_2026-03.jsonl.gz", "rt") as f:
        for line in f:
            paper = json.loads(line)
            listing.append(paper)
            if paper["id"] in papers:
                continue
            title = paper["title"].lower()
            if paper["id"] in wanted:
                papers[paper["id"]] = {**paper, "source": "llm-safety-lists"}
            elif TOPICS.search(title):
                papers[paper["id"]] = {**paper, "source": "topic-titles"}
    _infer_categories([p for p in papers.values() if not p["categories"]], listing)

    with gzip.open(args.out, "wt") as out:
        for paper in sorted(papers.values(), key=lambda p: p["id"]):
            out.write(json.dumps(paper) + "\n")
    print(f"{len(papers)} papers -> {args.out}")


def _infer_categories(papers: list[dict], listing: list[dict]) -> None:
    from collections import Counter

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    vectorizer = TfidfVectorizer(stop_words="english", min_df=2, sublinear_tf=True)
    known = vectorizer.fit_transform([f"{p['title']} {p['abstract']}" for p in listing])
    index = NearestNeighbors(n_neighbors=NEIGHBOURS, metric="cosine").fit(known)
    _, rows = index.kneighbors(
        vectorizer.transform([f"{p['title']} {p['abstract']}" for p in papers])
    )
    for paper, neighbours in zip(papers, rows, strict=True):
        votes = Counter(listing[int(i)]["categories"][0] for i in neighbours)
        paper["categories"] = [votes.most_common(1)[0][0]]
        paper["category_inferred"] = True


if __name__ == "__main__":
    main()
