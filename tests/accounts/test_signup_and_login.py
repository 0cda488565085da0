"""Sign-up with a confirmed email over real SMTP, login by username or email, logout, `next`."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.accounts.conftest import PASSWORD, verified_member

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "ada",
    "email": "ada@example.org",
    "password1": "analytical engine 1843",
    "password2": "analytical engine 1843",
}


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def confirmation_link(smtp_server, address: str) -> str:
    (message,) = smtp_server.to(address)
    (link,) = [u for u in message.links() if "/accounts/confirm-email/" in u]
    return path_of(link)


def log_in(client: Client, login: str, password: str = PASSWORD, next_url: str = ""):
    url = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": login, "password": password})


def test_signup_sends_a_confirmation_over_smtp_and_the_link_confirms(smtp_server, client):
    response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    (message,) = smtp_server.to("ada@example.org")
    assert message.subject.startswith("[Daily Papers] ")
    link = confirmation_link(smtp_server, "ada@example.org")

    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm" in page.content
    confirmed = client.post(link)

    assert confirmed.status_code == 302
    user = get_user_model().objects.get(username="ada")
    assert user.emailaddress_set.get().verified
    fresh = Client()
    assert log_in(fresh, "ada", SIGNUP["password1"]).status_code == 302
    assert fresh.get("/settings").status_code == 200


def test_login_is_refused_until_the_email_is_confirmed(smtp_server, client):
    client.post("/accounts/signup/", SIGNUP)
    stranger = Client()

    response = log_in(stranger, "ada", SIGNUP["password1"])

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert stranger.get("/settings").status_code == 302  # still anonymous
    assert "_auth_user_id" not in stranger.session


def test_members_log_in_with_username_or_email(client):
    verified_member("grace", email="grace@example.org")

    assert log_in(client, "grace")["Location"] == "/"
    client.post("/accounts/logout/")
    assert log_in(client, "GRACE@example.org")["Location"] == "/"


def test_a_wrong_password_is_a_form_error(client):
    verified_member("grace")

    response = log_in(client, "grace", "not it")

    assert response.status_code == 200
    assert b"not correct" in response.content


def test_login_returns_to_the_page_the_visitor_came_from(client):
    verified_member("grace")

    response = log_in(client, "grace", next_url="/papers/2401.00001")

    assert response["Location"] == "/papers/2401.00001"


def test_next_cannot_leave_the_site(client):
    verified_member("grace")

    response = log_in(client, "grace", next_url="https://evil.example/")

    assert response["Location"] == "/"


def test_logout_is_a_post(client):
    member = verified_member("grace")
    client.force_login(member)

    asked = client.get("/accounts/logout/")
    assert asked.status_code == 200  # a confirmation page: GET never logs out
    assert client.get("/settings").status_code == 200
    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert client.get("/settings").status_code == 302


def test_signup_refuses_a_taken_username(client):
    verified_member("ada")

    response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 200
    assert b"already exists" in response.content
    assert get_user_model().objects.filter(username="ada").count() == 1


def test_nul_characters_in_account_forms_are_form_errors(client):
    # PostgreSQL refuses NUL in query parameters: the forms must stop it before a query.
    login = client.post("/accounts/login/", {"login": "a\x00b", "password": "x"})
    signup = client.post("/accounts/signup/", {**SIGNUP, "username": "a\x00b"})
    reset = client.post("/accounts/password/reset/", {"email": "a\x00b@example.org"})

    assert (login.status_code, signup.status_code, reset.status_code) == (200, 200, 200)
    assert b"Null characters are not allowed" in login.content
