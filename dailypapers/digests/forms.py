"""The subscribe form: an address and how often."""

from __future__ import annotations

from django import forms

from dailypapers.digests.models import Subscription


class SubscribeForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email address")
    frequency = forms.ChoiceField(
        choices=Subscription.FREQUENCIES,
        initial=Subscription.DAILY,
        widget=forms.RadioSelect,
        label="How often",
    )
