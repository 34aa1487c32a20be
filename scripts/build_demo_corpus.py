"""Build data/demo_papers.jsonl.gz, the AI-safety demo corpus, from ../shared/data:
the arXiv papers of the alignment Zotero export (with their abstracts), plus the papers of the
LLM-safety and interpretability reading lists that appear in the shared arXiv listing file.

    python scripts/build_demo_corpus.py --shared ../shared/data --out data/demo_papers.jsonl.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.records import InvalidRecord, parse_arxiv_id  # noqa: E402
from ingest.sources.files import _csv_row_to_mapping  # noqa: E402


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
    with gzip.open(args.shared / "arxiv_cs_2025-03_2026-03.jsonl.gz", "rt") as f:
        for line in f:
            paper = json.loads(line)
            if paper["id"] in wanted and paper["id"] not in papers:
                papers[paper["id"]] = {**paper, "source": "llm-safety-lists"}

    with gzip.open(args.out, "wt") as out:
        for paper in sorted(papers.values(), key=lambda p: p["id"]):
            out.write(json.dumps(paper) + "\n")
    print(f"{len(papers)} papers -> {args.out}")


if __name__ == "__main__":
    main()
