"""Authors: who on the site an author is (an approved claim), merges later."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from dailypapers.papers.models import Author


def set_author_claimed_by(author: Author, user: AbstractBaseUser | None) -> None:
    """Link an author to the member who is them (None unlinks). Staff decide (the accounts
    app's claim review); the author page reads it when it loads, so nothing is cached."""
    author.claimed_by = user
    author.save(update_fields=["claimed_by"])
