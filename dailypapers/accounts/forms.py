"""The settings page's forms."""

from __future__ import annotations

from django import forms

from dailypapers.accounts.models import ApiToken, Profile


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["display_name", "public_upvotes"]
        labels = {"public_upvotes": "Show the papers I upvoted on my profile page"}
        help_texts = {
            "display_name": "Shown instead of your username (up to 80 characters).",
            "public_upvotes": "",  # the label says it
        }

    def clean_display_name(self) -> str:
        # Control characters (NUL included: PostgreSQL refuses it) have no place in a name.
        name = self.cleaned_data["display_name"]
        return "".join(ch for ch in name if ch.isprintable()).strip()


class TokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
        labels = {"name": "Token name"}
        help_texts = {"name": "What the token is for, e.g. “laptop script”."}

    def clean_name(self) -> str:
        name = "".join(ch for ch in self.cleaned_data["name"] if ch.isprintable()).strip()
        if not name:
            raise forms.ValidationError("Give the token a name.")
        return name
