"""Thin Celery adapters for ideation: ids in, a service call."""

from __future__ import annotations

from celery import shared_task

from core.errors import TRANSIENT_ERRORS
from core.jobs import JobTask
from ideation import services
from ideation.models import IdeaBatch


class IdeaBatchTask(JobTask):
    job_model = IdeaBatch


# Not acks_late: a rerun after a lost worker would write the batch's ideas twice.
@shared_task(
    base=IdeaBatchTask,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
)
def idea_batch_run(batch_id: int) -> str:
    return services.idea_batch_run(batch_id=batch_id).status


@shared_task(autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=3)
def forecast_model_train() -> int:
    return services.forecast_model_train().pk
