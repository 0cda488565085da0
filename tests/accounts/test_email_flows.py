"""Password reset and email change, with the messages going through a real SMTP server."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.accounts.conftest import PASSWORD, verified_member

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_password_reset_by_the_emailed_link(smtp_server, client):
    verified_member("grace", email="grace@example.org")

    response = client.post("/accounts/password/reset/", {"email": "grace@example.org"})

    assert response["Location"] == "/accounts/password/reset/done/"
    (message,) = smtp_server.to("grace@example.org")
    (link,) = [u for u in message.links() if "/accounts/password/reset/key/" in u]
    form = client.get(path_of(link), follow=True)  # allauth moves the key into the session
    assert form.status_code == 200
    action = form.redirect_chain[-1][0]
    new = "a brand new passphrase"
    done = client.post(action, {"password1": new, "password2": new})
    assert done["Location"] == "/accounts/password/reset/key/done/"
    assert Client().post("/accounts/login/", {"login": "grace", "password": new}).status_code == 302
    old = Client().post("/accounts/login/", {"login": "grace", "password": PASSWORD})
    assert old.status_code == 200  # refused


def test_reset_for_an_unknown_address_reveals_nothing(smtp_server, client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response["Location"] == "/accounts/password/reset/done/"
    assert all("/accounts/password/reset/key/" not in m.text for m in smtp_server.messages)


def test_email_change_takes_effect_once_the_new_address_is_confirmed(smtp_server, client):
    member = verified_member("grace", email="old@example.org")
    client.force_login(member)

    page = client.get("/accounts/email/")
    assert page.status_code == 200
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})

    member.refresh_from_db()
    assert member.email == "old@example.org"  # not before the new address is confirmed
    (message,) = smtp_server.to("new@example.org")
    (link,) = [u for u in message.links() if "/accounts/confirm-email/" in u]
    client.post(path_of(link))
    member.refresh_from_db()
    assert member.email == "new@example.org"
    assert [a.email for a in member.emailaddress_set.all()] == ["new@example.org"]
    assert any("changed" in m.subject.lower() for m in smtp_server.to("old@example.org"))
    user = get_user_model().objects.get(pk=member.pk)
    assert user.emailaddress_set.get().verified
