"""GitHub sign-in only when configured; the header's account links."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from dailypapers.accounts.config import socialaccount_providers
from dailypapers.env import ENV_VARS
from tests.factories import make_member, make_submitted_paper

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["/accounts/login/", "/accounts/signup/"]


def github(settings) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = socialaccount_providers("an-id", "a-secret")


@pytest.mark.parametrize("path", PAGES)
def test_no_github_button_unless_configured(client, path):
    html = client.get(path).content.decode()

    assert "GitHub" not in html
    assert "/accounts/github/" not in html


@pytest.mark.parametrize("path", PAGES)
def test_github_button_when_configured(settings, client, path):
    github(settings)

    html = client.get(path).content.decode()

    assert 'href="/accounts/github/login/?process=login"' in html
    assert "Continue with GitHub" in html


def test_github_login_url_is_404_unless_configured(client):
    assert client.get("/accounts/github/login/").status_code == 404


def test_github_login_when_configured_asks_to_continue(settings, client):
    github(settings)

    response = client.get("/accounts/github/login/")

    assert response.status_code == 200
    assert b"GitHub" in response.content


def settings_from_env(**variables: str) -> str:
    """SOCIALACCOUNT_PROVIDERS as a fresh process computes it from these variables."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS} | variables
    env["DJANGO_SETTINGS_MODULE"] = "dailypapers.settings"
    code = "from django.conf import settings; print(sorted(settings.SOCIALACCOUNT_PROVIDERS))"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_settings_offer_github_only_with_both_variables(tmp_path):
    data = {"DAILYPAPERS_DATA_DIR": str(tmp_path)}

    assert settings_from_env(**data) == "[]"
    assert settings_from_env(**data, DAILYPAPERS_GITHUB_CLIENT_ID="x") == "[]"
    both = {"DAILYPAPERS_GITHUB_CLIENT_ID": "x", "DAILYPAPERS_GITHUB_CLIENT_SECRET": "y"}
    assert settings_from_env(**data, **both) == "['github']"


def test_visitors_get_log_in_and_sign_up_that_come_back(client):
    html = client.get("/authors/Nobody?page=2").content.decode()

    assert 'href="/accounts/login/?next=%2Fauthors%2FNobody%3Fpage%3D2">Log in' in html
    assert 'href="/accounts/signup/?next=%2Fauthors%2FNobody%3Fpage%3D2">Sign up' in html
    assert "Log out" not in html


def test_login_link_on_an_account_page_does_not_loop(client):
    html = client.get("/accounts/password/reset/").content.decode()

    assert 'href="/accounts/login/">Log in' in html


def test_members_get_submit_profile_settings_and_a_logout_form(client):
    client.force_login(make_member("grace"))

    html = client.get("/accounts/password/reset/").content.decode()

    assert 'href="/submit">Submit' in html
    assert 'href="/u/grace">grace' in html
    assert 'href="/settings">Settings' in html
    logout = html[html.index('action="/accounts/logout/"') :]
    assert 'method="post"' in html and 'name="csrfmiddlewaretoken"' in logout.split("</form>")[0]
    assert "Log in" not in html


def test_the_header_is_each_readers_own_on_shared_feed_pages(settings):
    # Feed pages are rendered once and shared: the account links must still be per reader,
    # and a member's logout form must carry their own working CSRF token.
    settings.FEED_CACHE_SECONDS = 60
    make_submitted_paper(dt.date.today())
    visitor = Client().get("/").content.decode()
    alice, bobby = Client(enforce_csrf_checks=True), Client()
    alice.force_login(make_member("alice"))
    bobby.force_login(make_member("bobby"))

    page_a, page_b = alice.get("/").content.decode(), bobby.get("/").content.decode()
    later_visitor = Client().get("/").content.decode()

    assert 'href="/u/alice">alice' in page_a and "bobby" not in page_a
    assert 'href="/u/bobby">bobby' in page_b and "alice" not in page_b
    assert "Log in" in visitor and "Log in" in later_visitor and "alice" not in later_visitor
    logout_form = page_a[page_a.index('action="/accounts/logout/"') :].split("</form>")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', logout_form).group(1)
    assert alice.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert alice.get("/settings").status_code == 302  # logged out
