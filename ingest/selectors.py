"""Read side of ingest."""

from __future__ import annotations

from dataclasses import asdict

from graph.factory import get_store
from ingest.models import IngestJob
from ingest.vectorindex import CONCEPTS, PAPERS, get_index


def graph_stats() -> dict[str, int]:
    counts = asdict(get_store().counts())
    counts["paper_vectors"] = get_index(PAPERS).count()
    counts["concept_vectors"] = get_index(CONCEPTS).count()
    return counts


def ingest_job_get(*, job_id: int) -> IngestJob:
    return IngestJob.objects.get(pk=job_id)


def ingest_jobs_recent(*, limit: int = 10) -> list[IngestJob]:
    return list(IngestJob.objects.all()[:limit])


def ingest_job_errors(*, job: IngestJob, limit: int = 200) -> list:
    return list(job.errors.all()[:limit])
