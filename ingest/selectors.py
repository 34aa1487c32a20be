"""Read side of ingest."""

from __future__ import annotations

from dataclasses import asdict

from graph.factory import get_store
from index.selectors import index_counts
from ingest.models import IngestJob


def graph_stats() -> dict[str, int]:
    """The graph's counts and the vector indexes' sizes."""
    return asdict(get_store().counts()) | index_counts()


def ingest_jobs_recent(*, limit: int = 10) -> list[IngestJob]:
    return list(IngestJob.objects.all()[:limit])


def ingest_job_errors(*, job: IngestJob, limit: int = 200) -> list:
    return list(job.errors.all()[:limit])
