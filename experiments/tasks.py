"""Thin Celery adapter for the gpu queue: a run's id in, the service runs it."""

from __future__ import annotations

from celery import shared_task

from core.errors import TRANSIENT_ERRORS
from core.jobs import JobTask
from experiments import services
from experiments.campaigns import campaign_advance as campaign_advance_service
from experiments.models import Campaign, ExperimentRun


class ExperimentRunTask(JobTask):
    job_model = ExperimentRun


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
    return services.experiment_run_execute(run_id=run_id).status


class CampaignTask(JobTask):
    job_model = Campaign


# Idempotent: it looks at the campaign's runs and does the one next step that is missing.
@shared_task(
    base=CampaignTask,
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=5,
)
def campaign_advance(campaign_id: int) -> str:
    return campaign_advance_service(campaign_id=campaign_id).status
