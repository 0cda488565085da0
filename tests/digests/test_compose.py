"""Which papers a digest holds, and how its email reads."""

import datetime as dt

import pytest

from dailypapers.digests.compose import compose, message
from tests.digests.helpers import subscribe
from tests.factories import make_member, make_organization, make_submitted_paper

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 16)


def test_daily_is_the_latest_feed_day_on_or_before_the_date():
    make_submitted_paper(MONDAY, title="Monday paper")
    make_submitted_paper(MONDAY + dt.timedelta(days=3), title="Thursday paper")
    digest = compose("daily", MONDAY + dt.timedelta(days=2))
    assert digest.period_key == "daily:2026-11-16"
    assert [paper.title for paper in digest.papers] == ["Monday paper"]


def test_weekly_is_the_iso_week_and_keeps_the_feed_order(settings):
    settings.DIGEST_SIZE = 2
    make_submitted_paper(MONDAY, upvotes=1, title="low")
    make_submitted_paper(MONDAY + dt.timedelta(days=6), upvotes=9, title="high")
    make_submitted_paper(MONDAY + dt.timedelta(days=1), upvotes=5, title="middle")
    make_submitted_paper(MONDAY + dt.timedelta(days=7), upvotes=99, title="next week")
    digest = compose("weekly", MONDAY + dt.timedelta(days=3))
    assert digest.period_key == "weekly:2026-W47"
    assert [paper.title for paper in digest.papers] == ["high", "middle"]


def test_no_papers_no_digest():
    assert compose("daily", MONDAY) is None
    make_submitted_paper(MONDAY + dt.timedelta(days=7))
    assert compose("weekly", MONDAY) is None


def test_a_paper_reads_as_plain_text_with_absolute_links(settings):
    settings.BASE_URL = "https://papers.example.org"
    make_submitted_paper(
        MONDAY,
        upvotes=7,
        arxiv_id="2511.00042",
        title="Scaling  laws\nfor $x^2$",
        abstract="We show that $\\alpha$ grows.\n\n" + "word " * 200,
        authors=("A One", "B Two", "C Three", "D Four"),
        organization=make_organization("acme"),
    )
    (paper,) = compose("daily", MONDAY).papers
    assert paper.title == "Scaling laws for $x^2$"
    assert paper.authors == "A One, B Two, C Three et al."
    assert paper.organization == "Acme Research"
    assert paper.upvotes == 7
    assert paper.excerpt.startswith("We show that $\\alpha$ grows. word")
    assert len(paper.excerpt) <= 280
    assert paper.url == "https://papers.example.org/papers/2511.00042"


def test_links_fall_back_to_the_local_address(settings):
    settings.BASE_URL = ""
    make_submitted_paper(MONDAY, arxiv_id="2511.00043")
    (paper,) = compose("daily", MONDAY).papers
    assert paper.url == "http://localhost:8000/papers/2511.00043"  # as the unsubscribe links


def test_the_email_has_both_parts_and_unsubscribe_headers(settings):
    settings.BASE_URL = "https://papers.example.org"
    make_submitted_paper(MONDAY, title="<script>alert(1)</script><img src=x onerror=alert(2)>")
    email = message(compose("daily", MONDAY), subscribe("reader@example.org"))
    html = email.alternatives[0][0]
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in email.body  # plain text: shown as written
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click, mailto = email.extra_headers["List-Unsubscribe"].split(", ")
    assert one_click.startswith("<https://papers.example.org/unsubscribe/")
    assert one_click.endswith("/one-click>")
    assert mailto.startswith("<mailto:")
    assert "Week" not in email.subject and "\n" not in email.subject


def test_manage_preferences_leads_a_member_to_their_settings_and_others_to_the_form(settings):
    settings.BASE_URL = "https://papers.example.org"
    make_submitted_paper(MONDAY)
    digest = compose("daily", MONDAY)
    member = subscribe("member@example.org", user=make_member())
    visitor = subscribe("visitor@example.org")
    member_text = message(digest, member).body
    assert "Manage preferences: https://papers.example.org/settings#digest" in member_text
    visitor_text = message(digest, visitor).body
    assert "Manage preferences: https://papers.example.org/subscribe\n" in visitor_text
