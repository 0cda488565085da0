"""/settings: the profile form and API tokens (shown once, stored hashed, revocable)."""

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from dailypapers.accounts.models import ApiToken
from dailypapers.accounts.tokens import create_token, user_for_token
from tests.factories import make_member

pytestmark = pytest.mark.django_db

KEY = re.compile(r"dp_[A-Za-z0-9_-]{43}")


@pytest.fixture
def member(client):
    user = make_member("grace")
    client.force_login(user)
    return user


def test_settings_needs_a_login(client):
    response = client.get("/settings")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings"


def test_profile_form_saves(client, member):
    response = client.post("/settings", {"display_name": "  Grace H.  ", "public_upvotes": "on"})

    assert response["Location"] == "/settings"
    member.profile.refresh_from_db()
    assert member.profile.display_name == "Grace H."
    assert member.profile.public_upvotes is True
    assert b"Profile saved." in client.get("/settings").content


def test_a_too_long_display_name_is_a_form_error(client, member):
    response = client.post("/settings", {"display_name": "x" * 81})

    assert response.status_code == 200
    assert b"at most 80 characters" in response.content
    member.profile.refresh_from_db()
    assert member.profile.display_name == ""


def test_a_new_token_is_shown_once_and_stored_hashed(client, member):
    response = client.post("/settings/tokens", {"name": "laptop script"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (key,) = KEY.findall(response.content.decode())
    token = ApiToken.objects.get(user=member)
    assert token.name == "laptop script"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.prefix, token.key_hash} and key.startswith(token.prefix)
    later = client.get("/settings").content.decode()
    assert key not in later
    assert "laptop script" in later and token.prefix in later


def test_a_token_needs_a_name(client, member):
    response = client.post("/settings/tokens", {"name": "   "})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_user_for_token_finds_the_member_and_notes_the_use(member):
    token, key = create_token(member, "ci")

    assert user_for_token(key) == member
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert user_for_token(key + "x") is None
    assert user_for_token("") is None
    assert user_for_token(token.key_hash) is None  # the stored hash is no key


def test_last_used_is_written_at_most_once_a_minute(member):
    token, key = create_token(member, "ci")
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    user_for_token(key)
    token.refresh_from_db()
    assert token.last_used_at == recent
    stale = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    user_for_token(key)
    token.refresh_from_db()
    assert token.last_used_at > stale


def test_an_inactive_members_token_does_not_work(member):
    _, key = create_token(member, "ci")
    member.is_active = False
    member.save()

    assert user_for_token(key) is None


def test_revoking_a_token_stops_it(client, member):
    token, key = create_token(member, "ci")

    response = client.post(f"/settings/tokens/{token.pk}/revoke")

    assert response["Location"] == "/settings"
    assert user_for_token(key) is None
    assert not ApiToken.objects.exists()


def test_members_cannot_revoke_each_others_tokens(client, member):
    token, key = create_token(make_member("ada"), "ci")

    client.post(f"/settings/tokens/{token.pk}/revoke")

    assert user_for_token(key) is not None


def test_every_settings_form_checks_csrf(member):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    token, _ = create_token(member, "ci")

    assert browser.post("/settings", {"display_name": "x"}).status_code == 403
    assert browser.post("/settings/tokens", {"name": "x"}).status_code == 403
    assert browser.post(f"/settings/tokens/{token.pk}/revoke").status_code == 403
    page = browser.get("/settings")
    csrf = page.cookies["csrftoken"].value
    assert page.content.decode().count('name="csrfmiddlewaretoken"') >= 4  # + header logout
    saved = browser.post("/settings", {"display_name": "x", "csrfmiddlewaretoken": csrf})
    assert saved.status_code == 302


def test_settings_links_to_email_and_password_pages(client, member):
    html = client.get("/settings").content.decode()

    assert 'href="/accounts/email/"' in html
    assert 'href="/accounts/password/change/"' in html


@pytest.mark.parametrize(
    "path", ["/accounts/email/", "/accounts/password/change/", "/accounts/login/"]
)
def test_allauth_pages_wear_the_site_layout(client, member, path):
    if path == "/accounts/login/":
        client.logout()

    html = client.get(path).content.decode()

    assert 'class="wrap site-bar"' in html and '<main id="main" class="wrap account">' in html
    assert "<script>" not in html.replace("<script src=", "").replace("<script defer src=", "")
