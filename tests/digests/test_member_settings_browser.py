"""A member sets their digest on /settings in Chromium (real login, CSRF cookie, strict CSP)."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from dailypapers.digests.models import Subscription
from tests.factories import make_member

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("csp_violations"),  # fail on any CSP violation
]

PASSWORD = "a long test password"


def test_a_member_chooses_weekly_without_for_you_and_sees_it_saved(
    live_server, page: Page, smtp_server
):
    member = make_member("ada", email="ada@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=member, email=member.email, primary=True, verified=True)
    base = live_server.url
    page.goto(base + "/accounts/login/?next=/settings")
    page.locator("#id_login").fill("ada")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    digest = page.locator("section#digest")
    expect(digest.get_by_label("Off")).to_be_checked()
    digest.get_by_label("Weekly").check()
    digest.get_by_label("for you", exact=False).uncheck()
    digest.get_by_role("button", name="Save digest settings").click()

    expect(page.locator("ul.messages")).to_contain_text("Digest saved: weekly, without")
    expect(page.locator("section#digest").get_by_label("Weekly")).to_be_checked()
    expect(page.locator("section#digest").get_by_label("for you", exact=False)).not_to_be_checked()
    sub = Subscription.objects.get()
    assert sub.user == member and sub.active
    assert sub.frequency == "weekly" and not sub.wants_for_you
    assert smtp_server.messages == []
