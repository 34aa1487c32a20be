"""Throughput of the whole ingest pipeline against the bare embedding step, in one run, on the
2,000 papers of ../shared/data/sample_2k_ai_lg_cl.jsonl.

The bare step is the model's `encode` on the same paper texts (title + abstract), with the
settings the pipeline uses. The pipeline number is a full `ingest --sync` job into a fresh data
dir: parsing, validation, extraction, graph writes, paper and concept embeddings, index saves.

    python bench/bench_pipeline.py
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT.parent / "shared" / "data" / "sample_2k_ai_lg_cl.jsonl"
sys.path.insert(0, str(ROOT))
DATA_DIR = Path(tempfile.mkdtemp(prefix="ideagraph-bench-pipeline-"))
os.environ["IDEAGRAPH_DATA_DIR"] = str(DATA_DIR)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from core.embedded import server_start, services_stop  # noqa: E402
from index import embedding  # noqa: E402
from index.embedding import paper_text  # noqa: E402
from ingest import services  # noqa: E402
from ingest.selectors import graph_stats  # noqa: E402


def main() -> None:
    papers = [json.loads(line) for line in SAMPLE.read_text().splitlines()]
    texts = [paper_text(p["title"], p["abstract"]) for p in papers]
    call_command("migrate", verbosity=0)
    server_start()
    embedding.encode(texts[:32])  # load the model outside both timings

    started = time.perf_counter()
    embedding.encode(texts)
    bare_s = time.perf_counter() - started

    job = services.ingest_file_job_create(path=SAMPLE)
    started = time.perf_counter()
    job = services.ingest_job_run(job_id=job.pk)
    pipeline_s = time.perf_counter() - started

    stats = graph_stats()
    result = {
        "papers": len(papers),
        "bare_embedding_papers_per_s": round(len(papers) / bare_s, 1),
        "pipeline_papers_per_s": round(len(papers) / pipeline_s, 1),
        "ratio": round(bare_s / pipeline_s, 3),
        "pipeline_stage_seconds": job.timings,
        "embedding": embedding.identity(),
        "graph": stats,
    }
    print(json.dumps(result, indent=2))
    services_stop()
    shutil.rmtree(DATA_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
