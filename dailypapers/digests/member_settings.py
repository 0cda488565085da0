"""A member's digest settings: the form on /settings and what it shows (read side)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.conf import settings

from dailypapers.digests import services
from dailypapers.digests.models import Subscription

OFF = "off"


class DigestSettingsForm(forms.Form):
    frequency = forms.ChoiceField(
        choices=[(OFF, "Off"), *Subscription.FREQUENCIES],
        widget=forms.RadioSelect,
        label="How often",
    )
    wants_for_you = forms.BooleanField(
        required=False, label="Include a “for you” section picked from what I upvoted"
    )

    def chosen_frequency(self) -> str | None:
        frequency = self.cleaned_data["frequency"]
        return None if frequency == OFF else frequency


@dataclass
class DigestState:
    address: str | None  # where a digest goes (None: no confirmed address, nothing can go)
    subscription: Subscription | None
    stopped_by_bounces: bool  # the mail server refused it too often: no digest goes
    form: DigestSettingsForm

    @property
    def active(self) -> bool:
        return self.subscription is not None and self.subscription.active


def digest_state(user) -> DigestState:
    subscription = services.member_subscription(user)
    active = subscription is not None and subscription.active
    initial = {
        "frequency": subscription.frequency if active else OFF,
        # On by default: a member turning the digest on gets the section they can switch off.
        "wants_for_you": subscription.wants_for_you if subscription is not None else True,
    }
    bounced = subscription is not None and (
        subscription.hard_bounces >= settings.DIGEST_MAX_BOUNCES
    )
    address = subscription.email if active else services.member_address(user)
    return DigestState(
        address=address,
        subscription=subscription,
        stopped_by_bounces=active and bounced,
        form=DigestSettingsForm(initial=initial),
    )
