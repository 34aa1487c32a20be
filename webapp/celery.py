"""The Celery app. Queues are declared here and nowhere else."""

import os
from enum import StrEnum

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")


class Queues(StrEnum):
    INGEST = "ingest"
    INDEX = "index"
    IDEATION = "ideation"
    GPU = "gpu"


app = Celery("webapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(q.value) for q in Queues]
app.conf.task_default_queue = Queues.INGEST.value
app.conf.task_routes = {
    "ingest.tasks.ingest_job_run": {"queue": Queues.INGEST.value},
    "ingest.tasks.index_rebuild": {"queue": Queues.INDEX.value},
    "ideation.tasks.experiment_run_execute": {"queue": Queues.GPU.value},
    "ideation.tasks.*": {"queue": Queues.IDEATION.value},
}
app.autodiscover_tasks()
