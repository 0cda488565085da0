"""Writes: the one place the domain changes, so each change carries its side effects.

Views, the admin, the API and the CLI call these functions rather than saving models
themselves. One module per kind of write; everything is importable from here.
"""

from dailypapers.papers.services.moderation import set_comment_hidden, set_submission_hidden

__all__ = ["set_comment_hidden", "set_submission_hidden"]
