"""Members' comments: post, reply, edit for a short while, delete, report.

Threads are one level deep: a reply to a reply joins its top-level comment. Each refusal is
a `CommentRefused` whose message is meant for the member.

A deleted comment that has replies keeps its place with an empty body (`Comment.deleted`),
so the replies keep their thread; one without replies is removed, and a deleted top-level
comment goes too once its last reply goes.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from dailypapers.papers import feed_cache
from dailypapers.papers.models import Comment, CommentReport, Paper

EDIT_WINDOW = dt.timedelta(minutes=15)
MAX_BODY = 5000
MAX_REASON = 500


class CommentRefused(Exception):
    """The rules refuse this comment action; `str(error)` says why, to the member."""


def clean_body(body: str) -> str:
    """The body as stored: NULs dropped (PostgreSQL rejects them), line ends as browsers
    count them (one character, as `maxlength` does), ends trimmed, 1–5,000 characters."""
    body = (body or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if not body:
        raise CommentRefused("A comment cannot be empty.")
    if len(body) > MAX_BODY:
        raise CommentRefused(
            f"A comment can be at most {MAX_BODY:,} characters (this one has {len(body):,})."
        )
    return body


def post_comment(
    author: AbstractBaseUser, paper: Paper, body: str, parent: Comment | None = None
) -> Comment:
    """A new comment on `paper`, or a reply under `parent`'s top-level comment."""
    body = clean_body(body)
    if paper.hidden:
        raise CommentRefused("This paper is not open for comments.")
    with transaction.atomic():
        top = _thread_of(parent, paper) if parent is not None else None
        comment = Comment.objects.create(paper=paper, author=author, parent=top, body=body)
        _show_at_once()
        return comment


def _show_at_once() -> None:
    """The shared paper pages and feed cards (their comment counts) are rebuilt after
    commit, so the comment shows to everyone at once."""
    transaction.on_commit(feed_cache.forget_feeds)


def _thread_of(parent: Comment, paper: Paper) -> Comment:
    """The top-level comment a reply to `parent` joins, locked so that a concurrent delete
    cannot remove it under the new reply (the delete sees the reply, or the reply sees the
    comment gone)."""
    top_pk = parent.parent_id or parent.pk
    top = Comment.objects.select_for_update().filter(pk=top_pk, paper=paper).first()
    if top is None or top.hidden or (parent.pk != top_pk and parent.hidden):
        raise CommentRefused("The comment you replied to is no longer there.")
    return top


def editable_until(comment: Comment) -> dt.datetime:
    return comment.created_at + EDIT_WINDOW


def can_edit(user: AbstractBaseUser, comment: Comment, now: dt.datetime | None = None) -> bool:
    """Its author, within 15 minutes of posting, while neither deleted nor hidden."""
    now = now or timezone.now()
    return (
        comment.author_id == user.pk
        and not comment.deleted
        and not comment.hidden
        and now <= editable_until(comment)
    )


def edit_comment(
    user: AbstractBaseUser, comment: Comment, body: str, now: dt.datetime | None = None
) -> Comment:
    now = now or timezone.now()
    if comment.author_id != user.pk:
        raise CommentRefused("You can only edit your own comments.")
    if not can_edit(user, comment, now):
        raise CommentRefused("Comments can be edited for 15 minutes after posting.")
    body = clean_body(body)
    if body != comment.body:
        comment.body = body
        comment.edited_at = now
        comment.save(update_fields=["body", "edited_at"])
        _show_at_once()
    return comment


def delete_comment(user: AbstractBaseUser, comment: Comment) -> bool:
    """The author deletes their comment. True when it stays, as "[deleted]", to hold its
    replies; False when it is gone."""
    if comment.author_id != user.pk:
        raise CommentRefused("You can only delete your own comments.")
    with transaction.atomic():
        locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
        if locked is None:
            return False  # deleted twice (two tabs): already done
        _show_at_once()
        if locked.parent_id is None and locked.replies.exists():
            locked.body = ""
            locked.save(update_fields=["body"])
            return True
        locked.delete()
        _drop_empty_placeholder(locked.parent_id)
        return False


def _drop_empty_placeholder(top_pk: int | None) -> None:
    """A deleted top-level comment whose last reply just went is removed too. Locked first,
    like a reply locks it, so a reply being posted now keeps it."""
    if top_pk is None:
        return
    top = Comment.objects.select_for_update().filter(pk=top_pk, body="").first()
    if top is not None and not Comment.objects.filter(parent_id=top_pk).exists():
        top.delete()


def report_comment(user: AbstractBaseUser, comment: Comment, reason: str) -> CommentReport:
    """One report per member per comment, with a reason, for the moderators."""
    reason = (reason or "").replace("\x00", "").strip()
    if comment.author_id == user.pk:
        raise CommentRefused("You cannot report your own comment.")
    if comment.deleted:
        raise CommentRefused("This comment was deleted.")
    if not reason:
        raise CommentRefused("Please say briefly what is wrong with this comment.")
    if len(reason) > MAX_REASON:
        raise CommentRefused(f"A reason can be at most {MAX_REASON} characters.")
    try:
        with transaction.atomic():
            return CommentReport.objects.create(comment=comment, reporter=user, reason=reason)
    except IntegrityError:
        raise CommentRefused("You already reported this comment.") from None
