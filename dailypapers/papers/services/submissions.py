"""Submissions: a member puts a paper into today's feed, under rules the settings set.

Each rule is checked twice: once when the member looks a paper up (so the form says at once
why it cannot go in) and again inside the write's transaction, which is what counts.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateformat import format as format_date

from dailypapers.papers import feed_cache, ranking
from dailypapers.papers.feed_days import feed_day
from dailypapers.papers.models import Organization, Paper, Submission
from dailypapers.papers.periods import period_containing
from dailypapers.papers.signals import send_papers_changed_on_commit

COMMENT_MAX_LENGTH = 1000
SATURDAY = 5


class SubmissionRefused(Exception):
    """Why a paper cannot be submitted, in words for the member. `link` is the page the
    message names, if any (the feed day a paper is already in)."""

    def __init__(self, message: str, link: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.link = link


def check_submission(
    user: AbstractBaseUser, paper: Paper, *, now: dt.datetime | None = None
) -> None:
    """Raise SubmissionRefused if `user` may not submit `paper` at `now` (default: now)."""
    now = now or timezone.now()
    day = feed_day(now)
    _refuse_hidden(paper)
    _refuse_submitted(paper)
    _refuse_old(paper, now)
    _refuse_weekend(day)
    _refuse_over_cap(user, day)


def submit_paper(
    user: AbstractBaseUser,
    paper: Paper,
    *,
    comment: str = "",
    organization: Organization | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Put `paper` into the feed of the day `now` falls on (in the feed's time zone).

    `comment` is stored as typed (pages escape it). `organization` is set on the paper only
    when it has none: an organization a source named is not overridden by a member.
    """
    now = now or timezone.now()
    _refuse_comment(comment)
    with transaction.atomic():
        # Locks (PostgreSQL; SQLite's IMMEDIATE transactions already serialize writers):
        # the member's row makes the daily cap exact when one member submits twice at once,
        # the paper's row makes a second member wait and then see the first submission.
        _lock(get_user_model(), user.pk)
        paper = Paper.objects.select_for_update().get(pk=paper.pk)
        check_submission(user, paper, now=now)
        submission = _insert(paper, user, comment, now)
        if organization is not None and paper.organization_id is None:
            Paper.objects.filter(pk=paper.pk).update(organization=organization, modified_at=now)
        send_papers_changed_on_commit([paper.pk])
        transaction.on_commit(feed_cache.forget_feeds)
        transaction.on_commit(ranking.forget_trending)
    return submission


def _lock(model, pk) -> None:
    list(model.objects.select_for_update().filter(pk=pk).values_list("pk"))


def _insert(paper: Paper, user: AbstractBaseUser, comment: str, now: dt.datetime) -> Submission:
    """The row; a member who lost a race to another one (the paper's unique key) is told
    the paper is already in, and the caller's transaction stays usable (a savepoint)."""
    try:
        with transaction.atomic():
            return Submission.objects.create(
                paper=paper,
                feed_date=feed_day(now),
                submitted_at=now,
                submitter=user,
                comment=comment,
            )
    except IntegrityError:
        _refuse_submitted(paper)
        raise


def _refuse_comment(comment: str) -> None:
    if len(comment) > COMMENT_MAX_LENGTH:
        raise SubmissionRefused(
            f"The comment is {len(comment)} characters long; at most {COMMENT_MAX_LENGTH} fit."
        )
    if "\x00" in comment:
        raise SubmissionRefused("The comment contains a null character; please remove it.")


def _refuse_hidden(paper: Paper) -> None:
    if paper.hidden:
        raise SubmissionRefused("This paper was removed by a moderator and cannot be submitted.")


def _refuse_submitted(paper: Paper) -> None:
    existing = Submission.objects.filter(paper_id=paper.pk).first()
    if existing is None:
        return
    if existing.hidden:
        raise SubmissionRefused(
            "This paper was already submitted and then removed by a moderator; "
            "it cannot be submitted again."
        )
    day = existing.feed_date
    raise SubmissionRefused(
        f"This paper is already in the feed of {_day_label(day)}: each paper enters the feed once.",
        link=period_containing("day", day).url,
    )


def _refuse_old(paper: Paper, now: dt.datetime) -> None:
    max_age = settings.SUBMIT_MAX_AGE_DAYS
    if max_age <= 0:
        return
    window = f"only papers first published in the last {max_age} days can enter the feed"
    if paper.published_at is None:
        # Every arXiv record has a date; a paper without one came from a source that did not
        # say, and letting it in would let any old paper through.
        raise SubmissionRefused(f"We do not know when this paper was published, and {window}.")
    if now - paper.published_at > dt.timedelta(days=max_age):
        published = _day_label(paper.published_at.date())
        raise SubmissionRefused(f"This paper was first published on {published}: {window}.")


def _refuse_weekend(day: dt.date) -> None:
    if not settings.SUBMIT_WEEKENDS and day.weekday() >= SATURDAY:
        raise SubmissionRefused(
            "The feed takes no submissions on Saturdays and Sundays. Please come back on Monday."
        )


def _refuse_over_cap(user: AbstractBaseUser, day: dt.date) -> None:
    cap = settings.SUBMIT_DAILY_CAP
    if cap <= 0:
        return
    # Hidden submissions count too: a moderator's removal does not hand the slot back.
    done = Submission.objects.filter(submitter_id=user.pk, feed_date=day).count()
    if done >= cap:
        papers = "paper" if cap == 1 else "papers"
        raise SubmissionRefused(
            f"You have submitted {done} {papers} today, the most one member may submit in a "
            "day. Please try again tomorrow."
        )


def _day_label(day: dt.date) -> str:
    return format_date(day, "M j, Y")
