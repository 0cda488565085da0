"""Member profiles: one per user, made when the user is (and on first use for older users)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from dailypapers.accounts.models import Profile


def create_profile(sender, instance: AbstractBaseUser, created: bool, **kwargs) -> None:
    """post_save receiver for the user model: a new user gets an empty profile."""
    if created and not kwargs.get("raw"):
        Profile.objects.get_or_create(user=instance)


def profile_for(user: AbstractBaseUser) -> Profile:
    """The user's profile, created if a user somehow has none (made before this app)."""
    profile, _ = Profile.objects.select_related("user").get_or_create(user=user)
    return profile


def shown_name(user: AbstractBaseUser) -> str:
    """The name to show for a member: their display name, else their username."""
    return profile_for(user).shown_name
