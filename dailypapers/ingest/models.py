"""Bookkeeping that makes imports observable and resumable."""

from __future__ import annotations

from django.db import models


class IngestRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        PARTIAL = "partial", "done, with skipped records"
        FAILED = "failed"

    source = models.CharField(max_length=20)
    arguments = models.TextField(blank=True)
    # Where a resumed run starts again (a file name, an OAI token, a line number).
    cursor = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} run {self.pk} ({self.status})"

    @property
    def found_nothing_new(self) -> bool:
        """A finished weekday run that created and updated nothing: arXiv and Hugging Face
        publish every weekday, so this usually means a source broke, not a quiet day."""
        finished = self.status in {self.Status.DONE, self.Status.PARTIAL}
        changed = self.counts.get("created", 0) + self.counts.get("updated", 0)
        return finished and not changed and self.started_at.weekday() < 5
