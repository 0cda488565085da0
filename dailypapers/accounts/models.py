"""What a member has beyond Django's user: a profile, API tokens, claims on authors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from dailypapers.papers.models import Author


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(max_length=80, blank=True)
    # Upvotes are private unless the member shows them on their profile page.
    public_upvotes = models.BooleanField(
        default=False, help_text="Show the papers I upvoted on my profile page"
    )

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        return self.display_name or self.user.get_username()


class ApiToken(models.Model):
    """A key for the JSON API. Only its SHA-256 is stored: the key is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    # The key's first characters, so its owner can tell tokens apart ("dp_Xk3v…").
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuthorClaim(models.Model):
    """A member says they are an author; staff approve (setting `Author.claimed_by`) or reject."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="author_claims"
    )
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="claims")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "author"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_member_and_author",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} claims {self.author} ({self.status})"
