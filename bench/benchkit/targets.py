"""The pages to load, anchored on the middle feed day of the fill."""

from __future__ import annotations

from dataclasses import dataclass

PAGES = ("day", "home", "paper", "week", "month")


@dataclass(frozen=True)
class Target:
    name: str
    path: str


def pick_targets(pages: list[str]) -> list[Target]:
    """The requested pages, anchored on the middle feed day (a full, typical day)."""
    from django.db.models import Max, Min

    from dailypapers.papers.models import Submission

    visible = Submission.objects.filter(hidden=False)
    bounds = visible.aggregate(lo=Min("feed_date"), hi=Max("feed_date"))
    middle = bounds["lo"] + (bounds["hi"] - bounds["lo"]) / 2
    arxiv_id = (
        visible.filter(feed_date=middle)
        .order_by("paper__arxiv_id")
        .values_list("paper__arxiv_id", flat=True)
        .first()
    )
    year, week, _ = middle.isocalendar()
    targets = {
        "day": Target("day feed", f"/papers/date/{middle:%Y-%m-%d}"),
        "home": Target("home", "/"),
        "paper": Target("paper", f"/papers/{arxiv_id}"),
        "week": Target("week feed", f"/papers/week/{year}-W{week:02d}"),
        "month": Target("month feed", f"/papers/month/{middle:%Y-%m}"),
    }
    return [targets[page] for page in pages]
