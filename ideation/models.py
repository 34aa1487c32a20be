from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from runner.execute import METRICS_FILE


class ForecastModel(models.Model):
    """One trained pair-forecasting model: its file in the data dir and how well it validated."""

    path = models.CharField(max_length=500)
    graph_version = models.CharField(max_length=100, help_text="graph counts it was trained on")
    validation_auc = models.FloatField()
    baseline_auc = models.JSONField(default=dict)
    train_cutoff = models.DateField()
    validation_cutoff = models.DateField()
    data_end = models.DateField()
    validation_pairs = models.IntegerField()
    train_seconds = models.FloatField()
    trained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return f"ForecastModel {self.pk} AUC {self.validation_auc:.3f} ({self.trained_at:%Y-%m-%d})"


class IdeaBatch(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    class Writer(models.TextChoices):
        OFFLINE = "offline", "offline (from the graph)"
        LLM = "llm", "LLM"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED)

    params = models.JSONField(default=dict, help_text="n, seeds, fields, kinds, weights, ...")
    writer = models.CharField(max_length=16, choices=Writer.choices, default=Writer.OFFLINE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=100, blank=True)
    progress = models.IntegerField(default=0, help_text="percent")
    candidates = models.IntegerField(default=0, help_text="pairs considered")
    ideas_written = models.IntegerField(default=0)
    duplicates = models.IntegerField(default=0)
    llm_calls = models.IntegerField(default=0)
    llm_prompt_tokens = models.IntegerField(default=0)
    llm_completion_tokens = models.IntegerField(default=0)
    llm_cost = models.FloatField(default=0.0)
    forecast_model = models.ForeignKey(
        ForecastModel, null=True, blank=True, on_delete=models.SET_NULL
    )
    message = models.TextField(blank=True, help_text="warnings and errors, one per line")
    timings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"IdeaBatch {self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.TERMINAL


class Idea(models.Model):
    class Verdict(models.TextChoices):
        NOVEL = "novel"
        NOT_NOVEL = "not_novel"
        UNCERTAIN = "uncertain"

    class Feedback(models.TextChoices):
        NONE = "", "none"
        STARRED = "starred"
        REJECTED = "rejected"

    batch = models.ForeignKey(IdeaBatch, related_name="ideas", on_delete=models.CASCADE)
    rank = models.IntegerField(help_text="1 = best in its batch")
    title = models.CharField(max_length=300)
    problem = models.TextField()
    hypothesis = models.TextField()
    method = models.TextField()
    expected = models.TextField()
    risks = models.TextField()
    writer = models.CharField(max_length=16)
    concepts = models.JSONField(help_text="[{key, name, kind, field}]")
    fields = models.JSONField(default=list, help_text="main fields of its concepts")
    grounding = models.JSONField(help_text="paper keys")
    forecast = models.FloatField(null=True, blank=True)
    novelty = models.FloatField()
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    evidence = models.JSONField(help_text="what the novelty check saw; see ideation.novelty")
    score = models.FloatField()
    breakdown = models.JSONField(default=dict)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, related_name="repeats", on_delete=models.SET_NULL
    )
    feedback = models.CharField(max_length=16, choices=Feedback.choices, default="", blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "rank"]
        indexes = [models.Index(fields=["batch", "rank"])]

    def __str__(self) -> str:
        return f"Idea {self.pk}: {self.title}"


class ExperimentSpec(models.Model):
    """One experiment spec document (see ideation/schemas) and where it came from."""

    class Origin(models.TextChoices):
        OFFLINE = "offline", "offline rules"
        LLM = "llm", "LLM"
        IMPORTED = "imported", "imported file"

    idea = models.ForeignKey(
        Idea, null=True, blank=True, related_name="specs", on_delete=models.SET_NULL
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
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"ExperimentSpec {self.pk}: {self.title}"


class ExperimentRun(models.Model):
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
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    writeup_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"ExperimentRun {self.pk} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.TERMINAL

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
