from django.conf import settings
from django.db import models

from core.jobs import Job


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
    horizon_months = models.IntegerField(
        default=3, help_text="its probabilities are for a first co-mention within this many months"
    )
    calibration = models.JSONField(
        default=dict, help_text="predicted against observed rates on the validation window"
    )
    train_seconds = models.FloatField()
    trained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-trained_at"]

    def __str__(self) -> str:
        return f"ForecastModel {self.pk} AUC {self.validation_auc:.3f} ({self.trained_at:%Y-%m-%d})"


class IdeaBatch(Job):
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

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"IdeaBatch {self.pk} {self.status}"


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

    @property
    def forecast_shown(self) -> str:
        """The forecast as a reader takes it: a percentage when it is the model's probability,
        the bare proxy value otherwise (the batch says which)."""
        if self.forecast is None:
            return "–"
        if self.batch.forecast_model_id is None:
            return f"{self.forecast:.2f}"
        percent = 100 * self.forecast
        if percent < 0.1:
            return "<0.1%"
        return f"{percent:.1f}%" if percent < 10 else f"{percent:.0f}%"

    def __str__(self) -> str:
        return f"Idea {self.pk}: {self.title}"
