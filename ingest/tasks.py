"""Thin Celery adapters: ids in, a service call, transient failures retried with backoff."""

from __future__ import annotations

from celery import shared_task

from core.errors import TRANSIENT_ERRORS
from core.jobs import JobTask
from ingest import services
from ingest.models import IngestJob


class IngestJobTask(JobTask):
    job_model = IngestJob


# Idempotent (MERGE on keys, a resume point on the job row), so late acknowledgement is safe:
# a worker that dies mid-job leaves the message to be redelivered and the job resumes.
@shared_task(
    base=IngestJobTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def ingest_job_run(job_id: int) -> str:
    return services.ingest_job_run(job_id=job_id).status
