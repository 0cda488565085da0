"""Sign-up emails in the site's name, a login before confirming that says why, sending the
confirmation link again, and a contact line only when the operator names one."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.accounts.conftest import verified_member

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "ada",
    "email": "ada@example.org",
    "password1": "analytical engine 1843",
    "password2": "analytical engine 1843",
}


def links(message, part: str) -> list[str]:
    return [url for url in message.links() if part in url]


def test_the_confirmation_email_greets_from_the_site_and_links_the_base_url(
    settings, smtp_server, client
):
    settings.BASE_URL = "https://papers.example.org"

    client.post("/accounts/signup/", SIGNUP)

    (message,) = smtp_server.to("ada@example.org")
    assert message.text.startswith("Hello from Daily Papers!")
    assert "testserver" not in message.text
    (link,) = links(message, "/accounts/confirm-email/")
    assert link.startswith("https://papers.example.org/accounts/confirm-email/")
    assert "https://papers.example.org/" in message.text.splitlines()[-1]


def test_without_a_base_url_the_email_links_the_request_origin(settings, smtp_server, client):
    settings.BASE_URL = ""

    client.post("/accounts/signup/", SIGNUP)

    (message,) = smtp_server.to("ada@example.org")
    assert message.text.startswith("Hello from Daily Papers!")
    (link,) = links(message, "/accounts/confirm-email/")
    assert link.startswith("http://testserver/accounts/confirm-email/")


def test_the_password_reset_link_starts_with_the_base_url(settings, smtp_server, client):
    settings.BASE_URL = "https://papers.example.org"
    verified_member("grace", email="grace@example.org")

    client.post("/accounts/password/reset/", {"email": "grace@example.org"})

    (message,) = smtp_server.to("grace@example.org")
    (link,) = links(message, "/accounts/password/reset/key/")
    assert link.startswith("https://papers.example.org/accounts/password/reset/key/")
    assert "Hello from Daily Papers!" in message.text


def test_a_login_before_confirming_says_why_and_offers_to_send_the_link_again(smtp_server, client):
    client.post("/accounts/signup/", SIGNUP)
    stranger = Client()

    page = stranger.post(
        "/accounts/login/", {"login": "ada", "password": SIGNUP["password1"]}, follow=True
    )

    html = page.content.decode()
    assert "You can log in once your email address is confirmed" in html
    assert "ada@example.org" in html
    assert re.search(r"<button[^>]*>Send the link again</button>", html)


def test_send_the_link_again_sends_it_once_allauths_limit_allows(smtp_server, client):
    client.post("/accounts/signup/", SIGNUP)
    assert len(smtp_server.to("ada@example.org")) == 1

    too_soon = client.post("/accounts/resend-confirmation", follow=True)
    assert "less than three minutes ago" in too_soon.content.decode()
    assert len(smtp_server.to("ada@example.org")) == 1
    cache.clear()  # allauth's one-per-3-minutes limit lives in the cache
    again = client.post("/accounts/resend-confirmation", follow=True)

    assert "We sent the confirmation link again to ada@example.org" in again.content.decode()
    assert len(smtp_server.to("ada@example.org")) == 2
    assert len(links(smtp_server.to("ada@example.org")[-1], "/accounts/confirm-email/")) == 1


def test_send_the_link_again_without_a_sign_up_in_this_browser_asks_to_log_in(smtp_server, client):
    client.post("/accounts/signup/", SIGNUP)
    cache.clear()

    page = Client().post("/accounts/resend-confirmation", follow=True)

    assert "Log in with your username and password" in page.content.decode()
    assert len(smtp_server.to("ada@example.org")) == 1


@pytest.mark.parametrize(
    "path",
    ["/accounts/confirm-email/", "/accounts/password/reset/", "/accounts/password/reset/done/"],
)
def test_account_pages_name_the_contact_address_when_one_is_set(settings, client, path):
    settings.CONTACT_EMAIL = "help@example.org"

    html = client.get(path).content.decode()

    assert 'href="mailto:help@example.org"' in html
    assert "contact us" not in html.lower()


@pytest.mark.parametrize(
    "path",
    ["/accounts/confirm-email/", "/accounts/password/reset/", "/accounts/password/reset/done/"],
)
def test_without_a_contact_address_no_page_says_contact_us(settings, client, path):
    settings.CONTACT_EMAIL = ""

    html = client.get(path).content.decode()

    assert "contact us" not in html.lower()
    assert "mailto:" not in html
