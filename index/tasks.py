"""Thin Celery adapter for the index."""

from celery import shared_task

from core.errors import TRANSIENT_ERRORS
from index import services


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def index_rebuild() -> dict[str, int]:
    return services.index_rebuild()
