from django.conf import settings
from django.db import models

from core.jobs import Job


class IngestJob(Job):
    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    class SourceKind(models.TextChoices):
        FILE = "file"
        ARXIV = "arxiv"

    TERMINAL = (Status.SUCCEEDED, Status.FAILED)
    MESSAGE_FIELD = "error_message"

    source_kind = models.CharField(max_length=16, choices=SourceKind.choices)
    source = models.CharField(max_length=1000, help_text="file path or arXiv query description")
    params = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    total = models.IntegerField(null=True, blank=True, help_text="records expected, if known")
    records_done = models.IntegerField(default=0, help_text="records processed; resume point")
    seen = models.IntegerField(default=0)
    new = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    invalid = models.IntegerField(default=0)
    error_message = models.TextField(blank=True)
    timings = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"IngestJob {self.pk} ({self.source_kind}: {self.source}) {self.status}"

    @property
    def source_label(self) -> str:
        """What the person gave: an upload's own file name (not where the server keeps it), a
        file's path, or the arXiv query."""
        return self.params.get("upload_name") or self.source

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        if not self.total:
            return 0
        return min(99, int(100 * self.records_done / self.total))


class IngestError(models.Model):
    job = models.ForeignKey(IngestJob, related_name="errors", on_delete=models.CASCADE)
    line = models.IntegerField()
    message = models.CharField(max_length=500)

    class Meta:
        ordering = ["line", "id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "line", "message"], name="unique_job_error")
        ]

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class ConceptMerge(models.Model):
    """A concept that is another written another way ("jailbreaking attacks" for "jailbreak
    attacks"): its mentions count for `into_key`, now and in papers ingested later. The reason
    and the names' cosine are kept so that the concept page can say why."""

    variant_key = models.CharField(max_length=300, unique=True)
    variant_name = models.CharField(max_length=300)
    into_key = models.CharField(max_length=300, db_index=True)
    reason = models.CharField(max_length=300)
    cosine = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["variant_name"]

    def __str__(self) -> str:
        return f"{self.variant_name} -> {self.into_key} ({self.reason}, cosine {self.cosine:.2f})"
