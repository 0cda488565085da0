"""The shared-cache rate limit that search (and later login, votes, comments) use."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from dailypapers.papers.ratelimit import client_ip, over_limit

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
