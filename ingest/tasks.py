"""Thin Celery adapters: ids in, a service call, transient failures retried with backoff."""

from __future__ import annotations

import redis
from celery import Task, shared_task
from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError

from ingest import services

# Connection trouble with the graph or the broker; anything else is a bug or bad input.
TRANSIENT_ERRORS = (
    redis.ConnectionError,
    redis.TimeoutError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)


class IngestJobTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        services.ingest_job_fail(job_id=args[0], message=f"{type(exc).__name__}: {exc}")


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


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def index_rebuild() -> dict[str, int]:
    return services.index_rebuild()
