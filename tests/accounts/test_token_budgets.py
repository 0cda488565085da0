"""Whose API budget a request spends: a live token its own; a made-up, revoked or orphaned
token of our kind the one budget its address shares with every such token; anything else
only the address's."""

from __future__ import annotations

import secrets

import pytest
from django.test import RequestFactory

from dailypapers.accounts.tokens import create_token, rate_limit_key, revoke_token
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def key_for(authorization: str | None, address: str = "10.0.0.1") -> str:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return rate_limit_key(RequestFactory().get("/", REMOTE_ADDR=address, **headers))


def test_a_live_token_spends_its_own_budget():
    _, raw = create_token(make_member(), "script")

    key = key_for(f"Bearer {raw}")

    assert key.startswith("token:") and raw not in key
    assert key_for(f"bearer {raw}") == key  # the scheme is case-insensitive
    assert key_for(f"Bearer {create_token(make_member('bob'), 'x')[1]}") != key


def test_made_up_tokens_from_one_address_share_one_budget():
    made_up = {key_for(f"Bearer dp_{secrets.token_urlsafe(32)}") for _ in range(5)}

    assert made_up == {"unverified-token:10.0.0.1"}
    assert key_for("Bearer dp_x", address="10.0.0.2") == "unverified-token:10.0.0.2"
    assert key_for("Bearer dp_" + "x" * 5000) == "unverified-token:10.0.0.1"


def test_a_revoked_token_or_a_deactivated_members_is_made_up():
    member = make_member()
    token, raw = create_token(member, "old")
    revoke_token(member, token.pk)
    _, other = create_token(member, "new")
    member.is_active = False
    member.save()

    assert key_for(f"Bearer {raw}") == key_for(f"Bearer {other}") == "unverified-token:10.0.0.1"


def test_no_token_or_another_sites_counts_under_the_address_alone():
    assert key_for(None) == ""
    assert key_for("Bearer hf_abcdef") == ""  # huggingface_hub sends its own token along
    assert key_for("Basic dp_x") == ""
