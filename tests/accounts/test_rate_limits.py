"""Login and sign-up limits: derived from RATE_LIMITS, answered with our 429 page."""

import pytest
from django.test import Client

from dailypapers.accounts.config import allauth_rate_limits
from tests.accounts.conftest import PASSWORD, verified_member
from tests.limits import assert_rate_limited

pytestmark = pytest.mark.django_db


def limits(settings, login=(10, 300), signup=(0, 60)) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": login, "signup": signup}
    settings.ACCOUNT_RATE_LIMITS = allauth_rate_limits({"login": login, "signup": signup})


def test_defaults_follow_rate_limits():
    derived = allauth_rate_limits({"login": (10, 300), "signup": (0, 60)})

    assert derived == {
        "login": "300/m/ip",
        "login_failed": "300/m/ip,10/m/key",
        "signup": "60/m/ip",
    }


def test_a_zero_limit_is_no_limit():
    derived = allauth_rate_limits({"login": (0, 0), "signup": (0, 0)})

    assert derived == {"login": "", "login_failed": "", "signup": ""}


def test_too_many_failed_logins_for_one_account_answer_429(settings, client):
    limits(settings, login=(3, 300))
    verified_member("grace")
    for _ in range(3):
        wrong = client.post("/accounts/login/", {"login": "grace", "password": "nope"})
        assert wrong.status_code == 200

    response = client.post("/accounts/login/", {"login": "grace", "password": PASSWORD})

    assert response.status_code == 429
    assert b"Too many login attempts" in response.content
    assert_rate_limited(response, "login", 3, whole_window=True)
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked out.
    verified_member("ada")
    other = client.post("/accounts/login/", {"login": "ada", "password": PASSWORD})
    assert other.status_code == 302


def test_too_many_logins_from_one_address_answer_our_429_page(settings):
    limits(settings, login=(100, 2))
    verified_member("grace")
    for _ in range(2):
        Client().post("/accounts/login/", {"login": "grace", "password": "nope"})

    response = Client().post("/accounts/login/", {"login": "grace", "password": PASSWORD})

    assert response.status_code == 429
    assert b"Slow down" in response.content
    assert b"Please wait a minute" in response.content
    assert_rate_limited(response, "login_ip", 2, whole_window=True)


def test_the_429_is_json_for_json_clients(settings, client):
    limits(settings, login=(100, 1))
    client.post("/accounts/login/", {"login": "x", "password": "y"})

    response = client.post(
        "/accounts/login/", {"login": "x", "password": "y"}, HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"


def test_too_many_signups_from_one_address_answer_429(settings, client):
    limits(settings, signup=(0, 1))
    client.post("/accounts/signup/", {"username": "a1", "email": "bad"})

    response = client.post("/accounts/signup/", {"username": "a2", "email": "bad"})

    assert response.status_code == 429
    assert b"Slow down" in response.content
    assert_rate_limited(response, "signup_ip", 1, whole_window=True)


def test_the_address_counted_is_the_trusted_proxys_client(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    limits(settings, login=(100, 1))
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    Client().post("/accounts/login/", {"login": "x", "password": "y"}, **first)

    other = Client().post(
        "/accounts/login/", {"login": "x", "password": "y"}, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    again = Client().post("/accounts/login/", {"login": "x", "password": "y"}, **first)

    assert other.status_code == 200
    assert again.status_code == 429
