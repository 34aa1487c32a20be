"""The Celery app. Queues are declared here, from core.queues, and nowhere else."""

import os

from celery import Celery
from kombu import Queue

from core.queues import Queues

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")

app = Celery("webapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(q.value) for q in Queues]
app.conf.task_default_queue = Queues.INGEST.value
app.conf.task_routes = {
    "ingest.tasks.*": {"queue": Queues.INGEST.value},
    "index.tasks.*": {"queue": Queues.INDEX.value},
    "ideation.tasks.*": {"queue": Queues.IDEATION.value},
    "experiments.tasks.*": {"queue": Queues.GPU.value},
}
app.autodiscover_tasks()
