"""The lifecycle every long-running job shares (IngestJob, IdeaBatch, ExperimentRun): created,
started, finished with a terminal status and a message; and the Celery task base that records a
task's unhandled failure on its job row."""

from __future__ import annotations

from typing import ClassVar, Self

from celery import Task
from django.db import models
from django.utils import timezone

MESSAGE_MAX_CHARS = 5000


class Job(models.Model):
    """Abstract: a subclass declares `status` with its own choices, the statuses that end it
    (TERMINAL), the one that means failure (FAILED) and the text field its message goes to."""

    TERMINAL: ClassVar[tuple[str, ...]]
    FAILED: ClassVar[str] = "failed"
    RUNNING: ClassVar[str] = "running"
    MESSAGE_FIELD: ClassVar[str] = "message"

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in self.TERMINAL

    def mark_running(self) -> None:
        self.status, self.started_at = self.RUNNING, timezone.now()
        self.save(update_fields=["status", "started_at"])

    def finish(self, status: str, message: str = "", **fields) -> Self:
        """Record the end in one UPDATE of the named columns only (a concurrent writer of other
        columns, such as a cancel request, is not overwritten), then re-read the row."""
        fields.setdefault("finished_at", timezone.now())
        fields[self.MESSAGE_FIELD] = message[:MESSAGE_MAX_CHARS]
        type(self).objects.filter(pk=self.pk).update(status=status, **fields)
        self.refresh_from_db()
        return self

    @classmethod
    def fail_unless_finished(cls, *, pk: int, message: str) -> None:
        job = cls.objects.filter(pk=pk).first()
        if job is not None and not job.is_finished:
            job.finish(cls.FAILED, message)


class JobTask(Task):
    """Base for tasks whose first argument is a job's id: when the task finally fails (retries
    spent, or an error nobody expected), the job row says why instead of staying 'running'."""

    job_model: ClassVar[type[Job]]

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        self.job_model.fail_unless_finished(pk=args[0], message=f"{type(exc).__name__}: {exc}")
