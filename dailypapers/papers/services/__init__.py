"""Writes: the one place the domain changes, so each change carries its side effects.

Views, the admin, the API and the CLI call these functions rather than saving models
themselves. One module per kind of write; everything is importable from here.
"""

from dailypapers.papers.services.authors import set_author_claimed_by
from dailypapers.papers.services.comments import (
    CommentRefused,
    can_edit,
    delete_comment,
    edit_comment,
    post_comment,
    report_comment,
)
from dailypapers.papers.services.moderation import (
    set_comment_hidden,
    set_paper_hidden,
    set_submission_hidden,
)
from dailypapers.papers.services.submissions import (
    SubmissionRefused,
    check_submission,
    submit_paper,
)
from dailypapers.papers.services.votes import VoteResult, set_upvote, toggle_upvote

__all__ = [
    "CommentRefused",
    "SubmissionRefused",
    "VoteResult",
    "can_edit",
    "check_submission",
    "delete_comment",
    "edit_comment",
    "post_comment",
    "report_comment",
    "set_author_claimed_by",
    "set_comment_hidden",
    "set_paper_hidden",
    "set_submission_hidden",
    "set_upvote",
    "submit_paper",
    "toggle_upvote",
]
