"""Bookkeeping that makes imports observable and resumable."""

from __future__ import annotations

import datetime as dt

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

    class Meta:
        # The health checks read each source's latest runs, newest first.
        indexes = [models.Index(fields=["source", "-started_at"], name="ingestrun_source_started")]

    def __str__(self) -> str:
        return f"{self.source} run {self.pk} ({self.status})"

    @property
    def fetched(self) -> int:
        """Records read from the source, stored or skipped."""
        return self.counts.get("fetched", self.counts.get("items", 0))

    @property
    def changed(self) -> int:
        return self.counts.get("created", 0) + self.counts.get("updated", 0)

    @property
    def succeeded(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.PARTIAL}

    @property
    def duration(self) -> dt.timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None

    @property
    def found_nothing_new(self) -> bool:
        """A finished weekday run that created and updated nothing: arXiv and Hugging Face
        publish every weekday, so this usually means a source broke, not a quiet day."""
        return self.succeeded and not self.changed and self.started_at.weekday() < 5
