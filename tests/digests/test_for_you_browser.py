"""The "not interested" link of a "for you" paper in Chromium: the page shows the paper and a
button, pressing it records the mark; real CSRF cookie, no login, under the CSP check."""

import re

import pytest
from playwright.sync_api import Page, expect

from dailypapers.digests import tokens
from dailypapers.digests.models import NotInterested
from tests.factories import make_member, make_paper

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("csp_violations"),  # fail on any CSP violation
]


def test_a_member_says_not_interested_from_the_emailed_link(live_server, page: Page):
    member = make_member("ada")
    paper = make_paper(title="Galaxy rotation curves at $z > 2$")
    link = tokens.not_interested_url(member.pk, paper.pk)
    page.goto(live_server.url + re.sub(r"^https?://[^/]+", "", link))
    expect(page.get_by_role("heading", name="Not interested?")).to_be_visible()
    expect(page.locator(".math .katex")).to_have_count(1)  # the title's math, rendered
    assert not NotInterested.objects.exists()  # opening the link is not enough
    page.get_by_role("button", name="Not interested").click()
    expect(page.get_by_role("heading", name="Noted: not interested")).to_be_visible()
    (mark,) = NotInterested.objects.all()
    assert (mark.user_id, mark.paper_id) == (member.pk, paper.pk)
