"""Thin Celery adapters for ideation: ids in, a service call."""

from __future__ import annotations

from celery import Task, shared_task

from ideation import services
from ingest.tasks import TRANSIENT_ERRORS


class IdeaBatchTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        services.idea_batch_fail(batch_id=args[0], message=f"{type(exc).__name__}: {exc}")


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
