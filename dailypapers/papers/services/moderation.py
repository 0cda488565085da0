"""Moderation: hiding, and showing again, what members and sources put on the site.

Lists read `hidden` when they load, but two caches were filled without the change: the
rendered feed pages (`feed_cache`) and the trending ranking. Both are dropped after commit
(not before, or a request in between could cache the old state again), so the change shows
on every list at once.
"""

from __future__ import annotations

from django.db import transaction

from dailypapers.papers import feed_cache, ranking
from dailypapers.papers.models import Comment, Paper, Submission


def _forget_lists(trending: bool = True) -> None:
    transaction.on_commit(feed_cache.forget_feeds)
    if trending:
        transaction.on_commit(ranking.forget_trending)


def set_paper_hidden(paper: Paper, hidden: bool) -> None:
    """Hide a whole paper (or show it again): gone from feeds, trending, organization and
    author pages, search and similar papers; its page answers 404 to all but staff."""
    paper.hidden = hidden
    paper.save(update_fields=["hidden", "modified_at"])
    _forget_lists()


def set_submission_hidden(submission: Submission, hidden: bool) -> None:
    """Hide a submission from the feeds and trending (or show it again), at once."""
    submission.hidden = hidden
    submission.save(update_fields=["hidden"])
    _forget_lists()


def set_comment_hidden(comment: Comment, hidden: bool) -> None:
    """Hide a comment and its replies (or show them again). Hiding settles the comment's
    open reports: a moderator has acted on them. Cards' comment counts change, so the
    cached feed pages go; trending does not count comments."""
    with transaction.atomic():
        comment.hidden = hidden
        comment.save(update_fields=["hidden"])
        if hidden:
            comment.reports.filter(resolved=False).update(resolved=True)
    _forget_lists(trending=False)
