"""Thin Celery adapters for ideation: ids in, a service call."""

from __future__ import annotations

from celery import Task, shared_task

from ideation import experiments, services
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


class ExperimentRunTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        experiments.experiment_run_fail(run_id=args[0], message=f"{type(exc).__name__}: {exc}")


# acks_late with reject_on_worker_lost: a worker that dies mid-run (an infrastructure failure)
# hands the message back and the run starts again; the service caps the attempts. Failures of
# the experiment itself are recorded on the run and never retried.
@shared_task(
    base=ExperimentRunTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
)
def experiment_run_execute(run_id: int) -> str:
    return experiments.experiment_run_execute(run_id=run_id).status
