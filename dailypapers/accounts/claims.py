"""Author claims: a member says "this is me", staff approve or reject in the admin."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from dailypapers.accounts.models import AuthorClaim
from dailypapers.papers import services
from dailypapers.papers.models import Author

Status = AuthorClaim.Status


class ClaimRefused(Exception):
    """Why a claim cannot be made or approved, in words for the member or the moderator."""


def request_claim(user: AbstractBaseUser, author: Author) -> AuthorClaim:
    """A pending claim of `author` by `user` (the existing one if they already asked)."""
    if author.claimed_by_id == user.pk:
        raise ClaimRefused(f"You are already {author.name} on this site.")
    if author.claimed_by_id is not None:
        raise ClaimRefused(f"{author.name} is already claimed by another member.")
    try:
        with transaction.atomic():
            return AuthorClaim.objects.create(user=user, author=author)
    except IntegrityError:  # a pending claim already exists (a double click, two tabs)
        return AuthorClaim.objects.get(user=user, author=author, status=Status.PENDING)


def pending_claim(user: AbstractBaseUser, author: Author) -> AuthorClaim | None:
    return AuthorClaim.objects.filter(user=user, author=author, status=Status.PENDING).first()


def approve_claim(claim: AuthorClaim) -> None:
    """Make the claimant the author. Refused when another member already is: a moderator
    unlinks them on the author first, so one click never silently takes an author away."""
    author = claim.author
    if author.claimed_by_id not in (None, claim.user_id):
        raise ClaimRefused(f"{author.name} is already claimed by another member.")
    with transaction.atomic():
        services.set_author_claimed_by(author, claim.user)
        _decide(claim, Status.APPROVED)


def reject_claim(claim: AuthorClaim) -> None:
    _decide(claim, Status.REJECTED)


def _decide(claim: AuthorClaim, status: str) -> None:
    claim.status = status
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "decided_at"])
