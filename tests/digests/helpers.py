"""Subscriptions for the digest tests."""

from __future__ import annotations

from django.utils import timezone

from dailypapers.digests.models import Subscription


def subscribe(email: str, frequency: str = "daily", confirmed: bool = True, **fields):
    confirmed_at = timezone.now() if confirmed else None
    return Subscription.objects.create(
        email=email, frequency=frequency, confirmed_at=confirmed_at, **fields
    )
