"""Search's own rows: one embedding per paper, the database's copy being the source of truth
(the vector index, a file or a pgvector table, is rebuilt from these rows)."""

from __future__ import annotations

from django.db import models

from dailypapers.papers.models import Paper


class Embedding(models.Model):
    paper = models.OneToOneField(
        Paper, primary_key=True, on_delete=models.CASCADE, related_name="embedding"
    )
    # The model that made the vector: a row of another model is stale (a changed model setting
    # rebuilds every vector), as is one whose text hash no longer matches the paper's text.
    model = models.CharField(max_length=100)
    text_hash = models.CharField(max_length=32)
    # float32, L2-normalised, little-endian: portable across both databases and numpy.
    vector = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.model} vector of paper {self.paper_id}"
