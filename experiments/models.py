from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.jobs import Job
from runner.execute import METRICS_FILE


class ExperimentSpec(models.Model):
    """One experiment spec document (see experiments/schemas) and where it came from."""

    class Origin(models.TextChoices):
        OFFLINE = "offline", "offline rules"
        LLM = "llm", "LLM"
        IMPORTED = "imported", "imported file"

    idea = models.ForeignKey(
        "ideation.Idea", null=True, blank=True, related_name="specs", on_delete=models.SET_NULL
    )
    document = models.JSONField()
    title = models.CharField(max_length=300)
    template = models.CharField(max_length=64)
    origin = models.CharField(max_length=16, choices=Origin.choices)
    revision = models.IntegerField(default=1, help_text="edits so far, plus one")
    message = models.TextField(blank=True, help_text="how it was drafted, e.g. an LLM fallback")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "ideation_experimentspec"  # created before experiments had their own app
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"ExperimentSpec {self.pk}: {self.title}"


class Campaign(Job):
    """A template's parameters searched over many runs: a proposer chooses each trial from the
    trials so far; the best configuration and the template's default then run on fresh seeds."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    spec = models.ForeignKey(ExperimentSpec, related_name="campaigns", on_delete=models.CASCADE)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    space = models.JSONField(help_text="{parameter: {kind, low, high, log | choices}}")
    objectives = models.JSONField(help_text="[{metric, direction}]")
    trials = models.IntegerField(help_text="trials to run before the confirmation")
    seeds = models.JSONField(help_text="seeds of every trial")
    confirm_seeds = models.JSONField(help_text="fresh seeds the best and the default re-run on")
    proposer = models.CharField(max_length=16, default="optuna", help_text="optuna or llm")
    parallel = models.IntegerField(default=1, help_text="trials in flight at once")
    seed = models.IntegerField(default=0, help_text="the proposer's seed")
    message = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="best, default, improvement")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Campaign {self.pk} {self.status}"


class ExperimentRun(Job):
    """One dispatch of a spec to the gpu queue; results live in its directory in the data dir."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    spec = models.ForeignKey(ExperimentSpec, related_name="runs", on_delete=models.CASCADE)
    document = models.JSONField(help_text="the spec as dispatched")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.IntegerField(default=0, help_text="times a worker started it")
    cancel_requested = models.BooleanField(default=False)
    worker = models.CharField(max_length=300, blank=True, help_text="host:pid running it")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    time_limit_seconds = models.FloatField()
    device = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="criteria and verdict")
    verdict = models.CharField(max_length=32, blank=True)
    writeup_at = models.DateTimeField(null=True, blank=True)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, related_name="runs", on_delete=models.CASCADE
    )
    trial = models.IntegerField(
        null=True, blank=True, help_text="trial number in its campaign; -1 best, -2 default rerun"
    )
    trial_params = models.JSONField(default=dict, blank=True)
    trial_reason = models.TextField(blank=True, help_text="who proposed the trial, and why")

    class Meta:
        db_table = "ideation_experimentrun"
        ordering = ["-created_at"]
        constraints = [
            # two workers finishing at once must not both queue the same trial
            models.UniqueConstraint(fields=["campaign", "trial"], name="one_run_per_campaign_trial")
        ]

    def __str__(self) -> str:
        return f"ExperimentRun {self.pk} {self.status}"

    @property
    def directory(self) -> Path:
        return settings.EXPERIMENTS_DIR / f"run-{self.pk}"

    @property
    def log_path(self) -> Path:
        return self.directory / "log.txt"

    @property
    def metrics_path(self) -> Path:
        return self.directory / METRICS_FILE

    @property
    def writeup_path(self) -> Path:
        return self.directory / "writeup.md"

    @property
    def seconds(self) -> float | None:
        if not self.started_at:
            return None
        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()
