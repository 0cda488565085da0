"""Load the bundled demo corpus through the same Hugging Face reader and upsert as any import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dailypapers.ingest.models import IngestRun
from dailypapers.ingest.pipeline import Position, run_ingest
from dailypapers.ingest.sources import hf_daily

CORPUS = Path(__file__).with_name("corpus.jsonl.xz")


def demo_unfinished() -> bool:
    """Whether the latest demo load never finished (crashed or killed part way): `--if-empty`
    must complete it rather than see papers and skip forever."""
    latest = IngestRun.objects.filter(source="demo").order_by("-started_at", "-pk").first()
    return latest is not None and latest.status in {
        IngestRun.Status.RUNNING,
        IngestRun.Status.FAILED,
    }


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
