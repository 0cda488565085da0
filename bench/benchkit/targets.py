"""The pages to load, anchored on the middle feed day of the fill."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from benchkit.members import READER

PAGES = (
    "day",
    "day-member",
    "home",
    "paper",
    "paper-member",
    "week",
    "month",
    "api-daily",
    "api-search",
)
# Two words every synthetic abstract draws from (benchkit.fill.VOCAB): a common-word query.
SEARCH_QUERY = "reward+model"


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    cookie: str = ""  # sent with every request: a logged-in member's session


def middle_day() -> dt.date:
    """The middle feed day of the fill: a full, typical day."""
    from django.db.models import Max, Min

    from dailypapers.papers.models import Submission

    visible = Submission.objects.filter(hidden=False)
    bounds = visible.aggregate(lo=Min("feed_date"), hi=Max("feed_date"))
    return bounds["lo"] + (bounds["hi"] - bounds["lo"]) / 2


def day_path() -> str:
    return f"/papers/date/{middle_day():%Y-%m-%d}"


def pick_targets(pages: list[str], member_cookie: str = "") -> list[Target]:
    """The requested pages, anchored on the middle feed day (a full, typical day)."""
    from dailypapers.papers.models import Submission

    middle = middle_day()
    visible = Submission.objects.filter(hidden=False)
    day = visible.filter(feed_date=middle).order_by("paper__arxiv_id")
    # One the reader upvoted, so the member's paper page shows their vote pressed (the check
    # that the cookie logged them in); the visitor's page is the same paper.
    upvoted = day.filter(paper__votes__user__username=READER)
    arxiv_id = (upvoted.first() or day.first()).paper.arxiv_id
    year, week, _ = middle.isocalendar()
    targets = {
        "day": Target("day feed", f"/papers/date/{middle:%Y-%m-%d}"),
        "day-member": Target(
            "day feed, member", f"/papers/date/{middle:%Y-%m-%d}", cookie=member_cookie
        ),
        "home": Target("home", "/"),
        "paper": Target("paper", f"/papers/{arxiv_id}"),
        "paper-member": Target("paper, member", f"/papers/{arxiv_id}", cookie=member_cookie),
        "week": Target("week feed", f"/papers/week/{year}-W{week:02d}"),
        "month": Target("month feed", f"/papers/month/{middle:%Y-%m}"),
        "api-daily": Target("api daily_papers", f"/api/daily_papers?date={middle:%Y-%m-%d}"),
        "api-search": Target("api v1 search", f"/api/v1/search?q={SEARCH_QUERY}&limit=20"),
    }
    return [targets[page] for page in pages]
