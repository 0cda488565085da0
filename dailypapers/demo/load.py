"""Load the bundled demo corpus through the same Hugging Face reader and upsert as any import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.pipeline import Position, run_ingest
from dailypapers.ingest.sources import hf_daily

CORPUS = Path(__file__).with_name("corpus.jsonl.xz")


def load_demo(
    path: Path = CORPUS,
    *,
    progress: Callable[[Position], None] | None = None,
    batch_size: int = 500,
) -> IngestRun:
    """Import the corpus (idempotent: a second load leaves every paper unchanged)."""
    return run_ingest(
        "demo",
        hf_daily.read_paths([path]),
        batch_size=batch_size,
        progress=progress,
        arguments=str(path),
    )
