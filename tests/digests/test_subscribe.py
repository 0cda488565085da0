"""Subscribing to the digest over real SMTP: double opt-in, unsubscribe, RFC 8058 one-click."""

import re

import pytest
from django.core import signing
from django.test import Client

from dailypapers.digests import services, tokens
from dailypapers.digests.models import Subscription

pytestmark = pytest.mark.django_db


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def confirm_link(smtp_server, address: str) -> str:
    (message,) = smtp_server.to(address)
    (link,) = [u for u in message.links() if "/subscribe/confirm/" in u]
    return path_of(link)


def subscribe(client: Client, email: str, frequency: str = "daily"):
    return client.post("/subscribe", {"email": email, "frequency": frequency})


def test_the_form_renders_with_both_frequencies(client):
    page = client.get("/subscribe")

    assert page.status_code == 200
    assert b'name="email"' in page.content
    assert b'value="weekly"' in page.content and b"csrfmiddlewaretoken" in page.content


def test_subscribe_mails_a_link_and_only_the_confirm_post_activates(smtp_server, client):
    response = subscribe(client, "Ada@Example.org", "weekly")

    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    sub = Subscription.objects.get()
    assert sub.email == "ada@example.org" and sub.frequency == "weekly"
    assert not sub.active
    (message,) = smtp_server.to("ada@example.org")
    assert "confirm" in message.subject.lower()
    assert "/subscribe/confirm/" in message.html
    link = confirm_link(smtp_server, "ada@example.org")

    page = client.get(link)  # what a mail scanner does
    assert page.status_code == 200
    assert b"Confirm" in page.content
    sub.refresh_from_db()
    assert not sub.active

    done = client.post(link)
    assert done.status_code == 200
    sub.refresh_from_db()
    assert sub.active and sub.confirmed_at is not None


def test_resubmitting_sends_no_second_email(smtp_server, client):
    subscribe(client, "ada@example.org")
    subscribe(client, "ADA@example.org", "weekly")

    assert len(smtp_server.to("ada@example.org")) == 1
    assert Subscription.objects.get().frequency == "weekly"


def test_an_active_subscriber_changing_frequency_gets_no_email(smtp_server, client):
    services.subscribe("ada@example.org", "daily")
    client.post(confirm_link(smtp_server, "ada@example.org"))
    smtp_server.messages.clear()

    services.subscribe("ada@example.org", "weekly")

    assert smtp_server.messages == []
    assert Subscription.objects.get().frequency == "weekly"


@pytest.mark.parametrize(
    "email",
    [
        "<script>alert(1)</script>@example.org",
        '"><img src=x onerror=alert(1)>',
        "ada@example.org\r\nBcc: eve@example.org",
        "javascript:alert(1)",
        "",
    ],
)
def test_hostile_or_bad_addresses_are_refused_with_a_clear_error(smtp_server, client, email):
    response = subscribe(client, email)

    assert response.status_code == 400
    assert b"<script>alert" not in response.content
    assert b"<img src=x" not in response.content
    assert Subscription.objects.count() == 0
    assert smtp_server.messages == []


def test_unknown_frequency_is_refused(smtp_server, client):
    assert subscribe(client, "ada@example.org", "hourly").status_code == 400
    assert Subscription.objects.count() == 0


def active_subscription(smtp_server, client, email="ada@example.org") -> Subscription:
    services.subscribe(email, "daily")
    client.post(confirm_link(smtp_server, email))
    sub = Subscription.objects.get(email=email)
    assert sub.active
    return sub


def test_unsubscribe_get_shows_a_button_and_post_unsubscribes(smtp_server, client):
    sub = active_subscription(smtp_server, client)
    link = path_of(tokens.unsubscribe_url(sub))

    page = client.get(link)
    assert page.status_code == 200
    assert b"Unsubscribe" in page.content
    sub.refresh_from_db()
    assert sub.active

    done = client.post(link)
    assert done.status_code == 200
    sub.refresh_from_db()
    assert not sub.active and sub.unsubscribed_at is not None


def test_one_click_unsubscribe_needs_no_csrf_or_cookies(smtp_server, client):
    sub = active_subscription(smtp_server, client)
    bare = Client(enforce_csrf_checks=True)

    response = bare.post(
        path_of(tokens.one_click_url(sub)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.unsubscribed_at is not None


def test_one_click_without_its_body_does_nothing(smtp_server, client):
    sub = active_subscription(smtp_server, client)

    response = Client(enforce_csrf_checks=True).post(path_of(tokens.one_click_url(sub)))

    assert response.status_code == 400
    sub.refresh_from_db()
    assert sub.active


def test_links_are_absolute_on_the_base_url(settings):
    settings.BASE_URL = "https://papers.example.org"
    sub = Subscription.objects.create(email="ada@example.org")

    assert tokens.unsubscribe_url(sub).startswith("https://papers.example.org/unsubscribe/")
    assert tokens.one_click_url(sub).endswith("/one-click")


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe"])
def test_tampered_tokens_answer_a_clear_400(smtp_server, client, kind):
    sub = active_subscription(smtp_server, client)
    token = tokens.confirm_token(sub) if kind == "confirm" else tokens.unsubscribe_token(sub)
    base = "/subscribe/confirm/" if kind == "confirm" else "/unsubscribe/"
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    for method in (client.get, client.post):
        response = method(base + tampered)
        assert response.status_code == 400
        assert b"link" in response.content
    assert client.post(base + "not-a-token").status_code == 400
    sub.refresh_from_db()
    assert sub.active


def test_a_confirm_token_cannot_unsubscribe_and_vice_versa(smtp_server, client):
    sub = active_subscription(smtp_server, client)

    assert client.post(f"/unsubscribe/{tokens.confirm_token(sub)}").status_code == 400
    assert client.post(f"/subscribe/confirm/{tokens.unsubscribe_token(sub)}").status_code == 400


def test_an_expired_confirmation_link_is_refused(smtp_server, client, monkeypatch):
    services.subscribe("ada@example.org", "daily")
    link = confirm_link(smtp_server, "ada@example.org")
    monkeypatch.setattr(tokens, "CONFIRM_MAX_AGE", -1)

    assert client.post(link).status_code == 400
    assert not Subscription.objects.get().active


def test_a_token_for_another_address_does_not_work(client):
    sub = Subscription.objects.create(email="ada@example.org")
    forged = signing.dumps({"s": sub.pk, "e": "eve@example.org"}, salt=tokens.UNSUBSCRIBE_SALT)

    assert client.post(f"/unsubscribe/{forged}").status_code == 400


def test_resubscribing_after_unsubscribe_needs_a_fresh_confirmation(smtp_server, client):
    sub = active_subscription(smtp_server, client)
    old_link = confirm_link(smtp_server, "ada@example.org")
    client.post(path_of(tokens.unsubscribe_url(sub)))

    assert client.post(old_link).status_code == 400  # an old link does not undo it
    sub.refresh_from_db()
    assert not sub.active

    smtp_server.messages.clear()
    subscribe(client, "ada@example.org")
    assert client.post(confirm_link(smtp_server, "ada@example.org")).status_code == 200
    sub.refresh_from_db()
    assert sub.active


def test_subscribing_is_rate_limited(settings, smtp_server, client):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "signup": (0, 2)}

    statuses = [subscribe(client, f"a{i}@example.org").status_code for i in range(3)]

    assert statuses == [200, 200, 429]


def test_listing_pages_show_the_banner(client):
    page = client.get("/")

    assert b"Get trending papers in your email inbox!" in page.content
    assert b'href="/subscribe"' in page.content


def test_a_member_subscribing_their_confirmed_address_is_active_at_once(smtp_server, client):
    from tests.accounts.conftest import verified_member

    member = verified_member("ada", email="ada@example.org")
    client.force_login(member)

    form = client.get("/subscribe")
    assert b'value="ada@example.org"' in form.content
    subscribe(client, "Ada@example.org", "weekly")

    sub = Subscription.objects.get()
    assert sub.active and sub.user == member and sub.frequency == "weekly"
    assert smtp_server.messages == []


def test_a_member_subscribing_another_address_still_confirms_it(smtp_server, client):
    from tests.accounts.conftest import verified_member

    client.force_login(verified_member("ada", email="ada@example.org"))
    subscribe(client, "eve@example.org")

    sub = Subscription.objects.get()
    assert not sub.active and sub.user is None
    assert len(smtp_server.to("eve@example.org")) == 1


@pytest.mark.parametrize("token", ["a:b:c", "x" * 3000, "eyJzIjoxfQ:1xW:abc", "%E2%98%83"])
def test_garbage_tokens_answer_400_everywhere(client, token):
    for path in (f"/subscribe/confirm/{token}", f"/unsubscribe/{token}"):
        assert client.get(path).status_code == 400
        assert client.post(path).status_code == 400
    one_click = client.post(
        f"/unsubscribe/{token}/one-click",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert one_click.status_code == 400


def test_one_click_answers_get_with_405_and_changes_nothing(smtp_server, client):
    sub = active_subscription(smtp_server, client)

    assert client.get(path_of(tokens.one_click_url(sub))).status_code == 405
    sub.refresh_from_db()
    assert sub.active


def test_the_confirmation_email_has_the_same_link_in_text_and_html(smtp_server, settings):
    settings.BASE_URL = "https://papers.example.org"
    services.subscribe("ada@example.org", "daily")

    (message,) = smtp_server.to("ada@example.org")
    (link,) = message.links()
    assert link.startswith("https://papers.example.org/subscribe/confirm/")
    assert f'href="{link}"' in message.html
    assert message.message["From"] == settings.DEFAULT_FROM_EMAIL
