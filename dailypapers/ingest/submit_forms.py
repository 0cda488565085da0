"""The two steps of `/submit`: name a paper, then confirm it with an optional comment."""

from __future__ import annotations

import re

from django import forms
from django.core import signing

from dailypapers.papers import queries
from dailypapers.papers.arxiv_ids import ArxivId, parse_arxiv_id
from dailypapers.papers.models import Organization
from dailypapers.papers.services.submissions import COMMENT_MAX_LENGTH

# What a browser's address bar adds after the id: a query (`?context=cs.LG`), a fragment,
# a trailing slash.
_URL_TAIL = re.compile(r"[?#].*$|/+$")
# The signed id of the confirmation step is good for this long.
TOKEN_MAX_AGE = 3600
TOKEN_SALT = "dailypapers.submit"


class LookupForm(forms.Form):
    paper = forms.CharField(
        label="arXiv id or URL",
        max_length=300,
        widget=forms.TextInput(
            attrs={"placeholder": "2401.01234 or https://arxiv.org/abs/2401.01234"}
        ),
    )

    def clean_paper(self) -> ArxivId:
        raw = self.cleaned_data["paper"]
        try:
            return parse_arxiv_id(_URL_TAIL.sub("", raw.strip()))
        except ValueError:
            raise forms.ValidationError(
                "That is not an arXiv id or URL. Paste an id such as 2401.01234 or "
                "hep-th/9901001, or the address of its arXiv page or PDF."
            ) from None


def sign_paper(arxiv_id: str, user_pk: object) -> str:
    """The confirmation step's token: which paper, for which member (tamper-proof)."""
    return signing.dumps({"id": arxiv_id, "user": str(user_pk)}, salt=TOKEN_SALT)


class ConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Why this paper is worth reading. Shown under the paper, as plain text.",
    )
    organization = forms.CharField(
        label="Organization (optional)",
        required=False,
        max_length=200,
        help_text="The organization's short name, as in the address of its page: /org/<name>.",
    )

    def __init__(self, *args, user_pk: object = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_pk = user_pk

    def clean_token(self) -> str:
        try:
            data = signing.loads(self.cleaned_data["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(_EXPIRED) from None
        except signing.BadSignature:
            raise forms.ValidationError(_BROKEN) from None
        if not isinstance(data, dict) or data.get("user") != str(self.user_pk):
            raise forms.ValidationError(_BROKEN)
        return str(data.get("id", ""))

    def clean_organization(self) -> Organization | None:
        raw = self.cleaned_data["organization"].strip().rstrip("/")
        if not raw:
            return None
        slug = raw.rsplit("/org/", 1)[-1]  # a pasted address of the organization's page
        organization = queries.organization_by_slug(slug)
        if organization is None:
            raise forms.ValidationError(
                f"There is no organization “{slug}” here. Leave the field empty, or use the "
                "name from the address of the organization's page (/org/<name>)."
            )
        return organization


_EXPIRED = "This confirmation has expired. Please look the paper up again."
_BROKEN = "This confirmation is not valid. Please look the paper up again."
