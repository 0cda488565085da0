"""Moderation: hiding, and showing again, what members and sources put on the site."""

from __future__ import annotations

from django.db import transaction

from dailypapers.papers import ranking
from dailypapers.papers.models import Comment, Submission


def set_submission_hidden(submission: Submission, hidden: bool) -> None:
    """Hide a submission from every list (or show it again), at once.

    Lists read `hidden` when they load, but the cached trending ranking was computed
    without this change: it is dropped after commit (not before, or a request in between
    could cache the old state again) and the next trending page computes it afresh.
    """
    submission.hidden = hidden
    submission.save(update_fields=["hidden"])
    transaction.on_commit(ranking.forget_trending)


def set_comment_hidden(comment: Comment, hidden: bool) -> None:
    """Hide a comment (or show it again). Comment counts are read when a page loads."""
    comment.hidden = hidden
    comment.save(update_fields=["hidden"])
