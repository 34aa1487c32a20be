"""The Celery queues, named once; webapp/celery.py declares them and routes tasks to them."""

from enum import StrEnum


class Queues(StrEnum):
    INGEST = "ingest"
    INDEX = "index"
    IDEATION = "ideation"
    GPU = "gpu"
