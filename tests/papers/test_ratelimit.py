"""The shared-cache rate limit that search (and later login, votes, comments) use."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from dailypapers.papers.ratelimit import (
    Refusal,
    action_limited,
    client_ip,
    limit_headers,
    noted_refusal,
    over_limit,
    too_many_requests,
)
from tests.limits import assert_rate_limited

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_key_passes_its_limit_then_is_refused_and_others_are_not():
    assert [over_limit("t", "1.2.3.4", 3) for _ in range(4)] == [False, False, False, True]
    assert not over_limit("t", "5.6.7.8", 3)
    assert not over_limit("other-scope", "1.2.3.4", 3)


def test_zero_means_no_limit():
    assert not any(over_limit("t", "k", 0) for _ in range(50))


def test_client_ip_trusts_forwarded_for_only_behind_a_trusted_proxy():
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 9.9.9.9"
    )
    assert client_ip(request) == "10.0.0.1"
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        assert client_ip(request) == "9.9.9.9"


def test_the_headers_are_the_ietf_drafts_as_huggingface_hub_reads_them():
    headers = limit_headers(Refusal("api", 120, 37))

    assert headers == {
        "Retry-After": "37",
        "RateLimit-Policy": '"api";q=120;w=60',
        "RateLimit": '"api";r=0;t=37',
    }


def test_the_refusal_names_the_limit_that_said_no(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "vote": (2, 3)}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")

    answers = [action_limited(request, "vote", member_key="user:1") for _ in range(3)]
    assert answers[:2] == [None, None]
    assert (answers[2].policy, answers[2].quota) == ("vote", 2)
    assert 1 <= answers[2].reset <= 60
    by_address = action_limited(request, "vote", member_key="user:2")  # the address's 4th
    assert (by_address.policy, by_address.quota) == ("vote_ip", 3)
    assert noted_refusal(request) == by_address


def test_the_429_page_and_its_json_carry_the_noted_refusals_headers(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "comment": (1, 0)}
    for member, accept in enumerate(("text/html", "application/json")):
        request = RequestFactory().get("/", HTTP_ACCEPT=accept)
        action_limited(request, "comment", member_key=f"user:{member}")
        assert action_limited(request, "comment", member_key=f"user:{member}")

        assert_rate_limited(too_many_requests(request, "comments"), "comment", 1)
