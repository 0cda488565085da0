"""A member's digest on their settings page: the section /settings shows (from digests'
template tag) and the form it posts to /settings/digest."""

import re

import pytest
from allauth.account.models import EmailAddress

from dailypapers.digests import services, tokens
from dailypapers.digests.models import Subscription
from tests.digests.helpers import subscribe
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def verified(username: str = "ada", email: str | None = None):
    member = make_member(username, email=email)
    EmailAddress.objects.create(user=member, email=member.email, primary=True, verified=True)
    return member


def save(client, frequency: str, for_you: bool = True):
    data = {"frequency": frequency, **({"wants_for_you": "on"} if for_you else {})}
    return client.post("/settings/digest", data)


def checked(page: bytes, name: str, value: str | None = None) -> bool:
    """Whether the settings page's input `name` (with `value`) is checked."""
    html = page.decode()
    value_part = rf'[^>]*value="{value}"' if value else ""
    pattern = rf'<input[^>]*name="{name}"{value_part}[^>]*>'
    (tag,) = re.findall(pattern, html)
    return " checked" in tag


def test_settings_show_the_digest_off_for_a_new_member(client):
    client.force_login(verified())

    page = client.get("/settings")

    assert page.status_code == 200
    assert b"Email digest" in page.content
    assert b'action="/settings/digest"' in page.content
    assert checked(page.content, "frequency", "off")
    assert not checked(page.content, "frequency", "daily")
    assert checked(page.content, "wants_for_you")  # on by default, once the digest is on
    assert b"ada@example.org" in page.content
    assert page.content.count(b"csrfmiddlewaretoken") >= 3  # the digest form has one too


def test_choosing_weekly_subscribes_the_confirmed_address_at_once(smtp_server, client):
    member = verified()
    client.force_login(member)

    response = save(client, "weekly", for_you=False)

    assert response.status_code == 302 and response["Location"] == "/settings#digest"
    sub = Subscription.objects.get()
    assert sub.user == member and sub.email == "ada@example.org"
    assert sub.active and sub.frequency == "weekly" and not sub.wants_for_you
    assert smtp_server.messages == []  # no confirmation email: the address is confirmed
    page = client.get("/settings")
    assert "Digest saved: weekly, without “for you”" in page.content.decode()
    assert checked(page.content, "frequency", "weekly")
    assert not checked(page.content, "wants_for_you")


def test_off_unsubscribes_and_daily_again_reactivates(client):
    member = verified()
    client.force_login(member)
    save(client, "daily")

    save(client, "off")
    sub = Subscription.objects.get()
    assert sub.unsubscribed_at is not None and not sub.active
    assert checked(client.get("/settings").content, "frequency", "off")

    save(client, "daily")
    sub.refresh_from_db()
    assert sub.active and sub.unsubscribed_at is None and sub.frequency == "daily"
    assert Subscription.objects.count() == 1


def test_a_footer_unsubscribe_shows_as_off_and_the_member_can_come_back(client):
    member = verified()
    sub = subscribe("ada@example.org", user=member)
    services.unsubscribe(tokens.unsubscribe_token(sub))
    client.force_login(member)

    assert checked(client.get("/settings").content, "frequency", "off")
    save(client, "weekly")

    sub.refresh_from_db()
    assert sub.active and sub.frequency == "weekly"


def test_for_you_alone_can_be_switched_off_and_on(client):
    client.force_login(verified())
    save(client, "daily", for_you=True)
    assert Subscription.objects.get().wants_for_you

    save(client, "daily", for_you=False)
    assert not Subscription.objects.get().wants_for_you
    save(client, "daily", for_you=True)
    assert Subscription.objects.get().wants_for_you


def test_off_without_a_subscription_creates_nothing(client):
    client.force_login(verified())

    response = save(client, "off")

    assert response.status_code == 302
    assert not Subscription.objects.exists()


def test_an_earlier_anonymous_subscription_of_the_address_becomes_the_members(client):
    subscribe("ada@example.org", frequency="weekly")  # subscribed before signing up
    member = verified()
    client.force_login(member)

    assert checked(client.get("/settings").content, "frequency", "weekly")
    save(client, "daily")

    sub = Subscription.objects.get()
    assert sub.user == member and sub.frequency == "daily" and sub.active


def test_a_member_without_a_confirmed_address_sees_why_and_cannot_subscribe(smtp_server, client):
    member = make_member("eve")
    EmailAddress.objects.create(user=member, email=member.email, primary=True, verified=False)
    client.force_login(member)

    page = client.get("/settings")
    assert b"Confirm your email address" in page.content
    assert b'action="/settings/digest"' not in page.content

    save(client, "daily")
    assert not Subscription.objects.exists()
    assert smtp_server.messages == []
    assert b"Confirm an email address first" in client.get("/settings").content


def test_the_digest_follows_a_changed_primary_address(client):
    member = verified()
    client.force_login(member)
    save(client, "daily")
    EmailAddress.objects.filter(user=member).update(primary=False)
    EmailAddress.objects.create(user=member, email="Ada@New.example", primary=True, verified=True)

    save(client, "weekly")

    sub = Subscription.objects.get()
    assert sub.email == "ada@new.example" and sub.user == member and sub.active


def test_an_unknown_frequency_changes_nothing(client):
    client.force_login(verified())
    save(client, "daily")

    response = save(client, "hourly")

    assert response.status_code == 302
    assert Subscription.objects.get().frequency == "daily"
    assert b"Choose off, daily or weekly" in client.get("/settings").content


def test_a_member_cannot_touch_another_members_subscription(client):
    other = verified("bob")
    save_for_bob = subscribe("bob@example.org", user=other, frequency="weekly")
    client.force_login(verified("ada"))

    save(client, "off")

    save_for_bob.refresh_from_db()
    assert save_for_bob.active and save_for_bob.frequency == "weekly"


def test_login_and_post_are_required(client):
    response = save(client, "daily")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Subscription.objects.exists()

    client.force_login(verified())
    assert client.get("/settings/digest").status_code == 405


def test_the_form_needs_the_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(verified())

    assert strict.post("/settings/digest", {"frequency": "daily"}).status_code == 403
    assert not Subscription.objects.exists()


def test_bounced_addresses_are_named(client, settings):
    member = verified()
    subscribe("ada@example.org", user=member, hard_bounces=settings.DIGEST_MAX_BOUNCES)
    client.force_login(member)

    assert b"refused our digests" in client.get("/settings").content


def test_a_new_primary_address_with_its_own_subscription_leaves_the_members_where_it_is(client):
    member = verified()
    client.force_login(member)
    save(client, "daily")
    subscribe("ada@new.example", frequency="weekly")  # someone subscribed it without logging in
    EmailAddress.objects.filter(user=member).update(primary=False)
    EmailAddress.objects.create(user=member, email="ada@new.example", primary=True, verified=True)

    save(client, "weekly", for_you=False)

    mine = Subscription.objects.get(user=member)
    assert mine.email == "ada@example.org" and mine.frequency == "weekly"
    assert not mine.wants_for_you
    other = Subscription.objects.get(email="ada@new.example")
    assert other.user is None and other.wants_for_you
